"""The record: incidents, actors, sites, routes and their history."""
