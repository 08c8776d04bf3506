"""Browser tests (Playwright + Debian's chromium).

This folder is a package on purpose: without __init__.py pytest would import
tests/browser/conftest.py under the module name ``conftest`` and replace tests/conftest.py
in sys.modules. Helpers live in support modules (tests/support.py, tests/browser/support.py),
never in a conftest, and no test module imports another.
"""
