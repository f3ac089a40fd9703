"""The contest domain: contests, tracks, entries and the mentors suggested for them."""

from graph.contest.contests import Entry, contest_detail, contests, entry, stated_needs
from graph.contest.mentors import DEFAULT_CAP, suggest_mentors

__all__ = [
    "DEFAULT_CAP",
    "Entry",
    "contest_detail",
    "contests",
    "entry",
    "stated_needs",
    "suggest_mentors",
]
