"""The Joint Working Group's own work: meetings, decisions, action items, briefing packs.

``models`` (the records), ``schemas`` (what faces accept and show), ``service`` (read and
write rules, carry-over, overdue items and their alerts), ``briefing`` (what a pack holds for
one organisation) and ``render`` (its map, chart, HTML and PDF). Protective measures live in
``registry.measures``: they belong to sites and routes.
"""
