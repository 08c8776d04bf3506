"""Browser tests (Playwright + Debian's chromium).

This folder is a package on purpose: without __init__.py pytest would import
tests/browser/conftest.py under the module name ``conftest`` and replace tests/conftest.py
in sys.modules, which breaks ``from conftest import ...`` in the other test files.
"""
