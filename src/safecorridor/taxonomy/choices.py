"""Fixed vocabularies as StrEnums. Their values are checked against the data files in tests."""

from __future__ import annotations

from enum import StrEnum


class TLP(StrEnum):
    CLEAR = "CLEAR"
    GREEN = "GREEN"
    AMBER = "AMBER"
    AMBER_STRICT = "AMBER+STRICT"
    RED = "RED"


class RiskLevel(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    SEVERE = "severe"
    CRITICAL = "critical"


class DatePrecision(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


class IncidentStatus(StrEnum):
    CONFIRMED = "confirmed"
    MERGED = "merged"
    RETRACTED = "retracted"


class Role(StrEnum):
    ADMIN = "admin"
    ANALYST = "analyst"
    SITE_MANAGER = "site_manager"
    ESCORT_OFFICER = "escort_officer"
    VIEWER = "viewer"


class ActorKind(StrEnum):
    ARMED_GROUP = "armed_group"
    STATE_FORCE = "state_force"
    GOVERNMENT = "government"
    COMPANY = "company"
    INTERNATIONAL = "international"
    CIVILIANS = "civilians"
    OTHER = "other"


class SiteType(StrEnum):
    PORT = "port"
    POWER_PLANT = "power_plant"
    DAM = "dam"
    ROAD_SECTION = "road_section"
    SEZ = "sez"
    CAMPUS = "campus"
    OFFICE = "office"
    CAMP = "camp"
    MINE = "mine"
    AIRPORT = "airport"
    RAIL = "rail"


class GeoPrecision(StrEnum):
    """ACLED geo_precision: 1 exact town, 2 near / district, 3 province."""

    EXACT = "1"
    NEAR = "2"
    REGION = "3"
