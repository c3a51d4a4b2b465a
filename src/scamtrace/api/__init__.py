"""The HTTP API (FastAPI): `main.create_app` assembles, `deps` authenticates, `routes` serve."""
