"""Closed word lists that more than one stage reads: month and weekday names (the dates are
read in :mod:`dates`; :mod:`casualties` must not take a day and month for a count), and the
nouns of a killing a claim names (a trigger, a claimant, a date)."""

from __future__ import annotations

MONTHS = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
#: the first three letters of every month's name ("Sept." and "September" both start "sep")
MONTH_STEMS = frozenset(name[:3] for name in MONTHS)
#: the full month names as a regex alternation, capitalised ("January|...|December")
MONTH_NAMES = "|".join(
    next(name for name, n in MONTHS.items() if n == month).capitalize() for month in range(1, 13)
)
#: the weekday names as a regex alternation, capitalised ("Monday|...|Sunday")
WEEKDAY_NAMES = "|".join(name.capitalize() for name in WEEKDAYS)

#: a killing as a noun, as a claim or a confession names it: "claimed the killing of two
#: policemen" (the trigger, the claimant and the date read it alike)
KILLING_NOUN = r"(?:killing|murder|assassination)s?"
#: a killing a claim names with its victims: "the killing of two policemen", a headline's
#: "claim killing three people", "claims responsibility for killing a minister's son"
KILLING_OF = (
    r"(?:(?:the\s+)?" + KILLING_NOUN + r"\s+of\b|killing(?=\s+(?!(?:of|spree|in|on|at|was|were|is"
    r"|has|had|and|or|by|for)\b)[\w'’-]))"
)

#: people a headline's "kill" names by their role, with no number ("Militants kill tribal
#: elder", "kill shopkeepers"): the trigger's object and, singular, one dead
KILLED_ROLES = (
    "militant", "commander", "elder", "politician", "leader", "official", "soldier", "civilian",
    "journalist", "worker", "student", "suspect", "guard", "planner", "mastermind", "ringleader",
    "chief", "activist", "youth", "boy", "girl", "son", "daughter", "brother", "nephew", "dealer",
    "villager", "cleric", "teacher", "doctor", "lawyer", "judge", "engineer", "pilgrim", "member",
    "trader", "shopkeeper", "cop", "officer", "minister", "lawmaker", "driver", "labourer",
    "constable", "scholar", "councillor", "inspector", "candidate", "resident", "child",
)  # fmt: skip
#: their plurals' irregular forms and the nouns that are their own plural
_KILLED_OTHERS = r"policem[ae]n|tribesm[ae]n|m[ae]n|wom[ae]n|troops|children|spy"
KILLED_ROLE = r"(?:(?:" + "|".join(KILLED_ROLES) + r")s?|" + _KILLED_OTHERS + r")"
