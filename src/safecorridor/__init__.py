"""SafeCorridor: security coordination and threat intelligence for infrastructure corridors."""

__version__ = "0.1.0"
