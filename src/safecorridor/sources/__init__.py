"""Sources: documents, and importers of event datasets (ACLED, GTD, UCDP, any CSV)."""
