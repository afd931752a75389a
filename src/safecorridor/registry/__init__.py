"""The registry of protected sites and routes."""
