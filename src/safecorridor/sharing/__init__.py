"""Sharing: TLP read rules (one query-layer filter), record grants and the audit chain."""
