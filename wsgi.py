"""WSGI entry point: waitress serves wsgi:app."""

from app import create_app

app = create_app()
