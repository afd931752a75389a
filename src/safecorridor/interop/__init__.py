"""Exchange with the threat-intelligence ecosystem: STIX 2.1 bundles, a TAXII 2.1 server's
logic, MISP event JSON and partner feeds.

Invariants: every record leaves through the TLP read filter (``incidents.service.filtered_query``
with a viewer, or ``sharing.policy.restrict``); what arrives from partners becomes review
candidates with the producer as source and its marking kept, never incidents, except the
operator's own ``import stix|misp FILE`` of bundles carrying the SafeCorridor extension (the
round trip), which stores records like the CSV importers: keyed by dataset and key, compared by
content hash, so a re-import adds nothing. This package imports no ``api``, ``web`` or ``cli``.
"""
