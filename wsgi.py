"""WSGI entry point: waitress serves wsgi:app."""

from app import create_app
from app.beheer import tally_store

app = create_app()
# the yearly report's counts are read into this process in the background at its first request
tally_store.warm_on_first_request(app)
