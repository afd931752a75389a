"""Journey management: movement requests, approvals with escorts, check-ins, overdue checks."""
