"""The HTTP API (FastAPI) and, until the web issue lands, a plain index page."""
