"""What a match request may constrain before ranking (``Filters``), where the team is for re-ranking
(``TeamPlace``), and the per-document facts both are tested against (``DocumentFacts``).

Filters make a boolean mask over the index's documents *before* any channel ranks them, so a filter never empties a
list that ranking had filled. A value no document has is an error that says so (with known values that start alike),
not an empty answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from graph.errors import MatchError
from graph.search.documents import ResourceDoc


@dataclass(frozen=True, slots=True)
class Filters:
    """Constraints applied before ranking. Text values compare case-insensitively."""

    types: tuple[str, ...] = ()
    organization: str | None = None  # IRI or name; matches the organisation and everything under it
    country: str | None = None
    region: str | None = None
    city: str | None = None
    access: str | None = None  # words that must appear in the access terms

    def without_types(self) -> Filters:
        """The same constraints over every type."""
        return Filters((), self.organization, self.country, self.region, self.city, self.access)


@dataclass(frozen=True, slots=True)
class TeamPlace:
    """Where the team is: resources nearby rank a little higher."""

    organization: str | None = None
    region: str | None = None
    country: str | None = None


class DocumentFacts:
    """The documents' organisations (each with every organisation above it), places and access terms, held so that
    a filter tests each distinct value once and then every document at numpy speed."""

    def __init__(self, docs: Sequence[ResourceDoc], label_of: Callable[[str], str]) -> None:
        self._docs = docs
        self._orgs = [{o.lower() for o in d.organizations} for d in docs]
        self._org_names = [{_norm(label_of(o)) for o in d.organizations} for d in docs]
        self._places = {
            attribute: _Column([getattr(d, attribute).lower() for d in docs])
            for attribute in ("country", "region", "city")
        }
        self._access = _Column([d.access.lower() for d in docs])
        self._org_rows = _inverted([self._orgs[i] | self._org_names[i] for i in range(len(docs))])

    def in_organization(self, row: int, organization: str) -> bool:
        """Whether document ``row`` belongs to ``organization`` (an IRI or a name) or a unit under it."""
        return organization.lower() in self._orgs[row] or _norm(organization) in self._org_names[row]

    def mask(self, f: Filters) -> np.ndarray | None:
        """Documents that pass the filters other than type, or None when there are none."""
        mask: np.ndarray | None = None

        def both(column: np.ndarray) -> np.ndarray:
            return column if mask is None else mask & column

        if f.organization:
            rows = self._org_rows.get(f.organization.strip().lower(), []) + self._org_rows.get(
                _norm(f.organization), []
            )
            column = np.zeros(len(self._docs), dtype=bool)
            column[rows] = True
            _known("organization", f.organization, column)
            mask = both(column)
        for attribute in ("country", "region", "city"):
            value = getattr(f, attribute)
            if value:
                want = value.strip().lower()
                column = self._places[attribute].where(want.__eq__)
                _known(attribute, value, column, [getattr(d, attribute) for d in self._docs])
                mask = both(column)
        if f.access:
            words = f.access.lower().split()
            mask = both(self._access.where(lambda v: all(w in v for w in words)))
        return mask


def _known(name: str, value: str, column: np.ndarray, values: list[str] | None = None) -> None:
    if column.any():
        return
    hint = ""
    if values is not None:
        close = sorted({v for v in values if v and v[:1].lower() == value[:1].lower()})[:8]
        hint = f"; known values starting alike: {close}" if close else ""
    raise MatchError(f"unknown {name} {value!r}: no resource has it{hint}")


def _inverted(keys_per_row: list[set[str]]) -> dict[str, list[int]]:
    rows: dict[str, list[int]] = {}
    for i, keys in enumerate(keys_per_row):
        for key in keys:
            rows.setdefault(key, []).append(i)
    return rows


class _Column:
    """One text value per document, kept as codes into its distinct values, so that a filter tests each distinct
    value once (in Python) and then every document at numpy speed."""

    def __init__(self, values: list[str]) -> None:
        distinct, codes = np.unique(np.array(values, dtype=object), return_inverse=True)
        self._distinct: list[str] = distinct.tolist()
        self._codes = codes.astype(np.int64)

    def where(self, test: Callable[[str], bool]) -> np.ndarray:
        """The documents whose value passes ``test``."""
        return np.array([test(v) for v in self._distinct], dtype=bool)[self._codes]


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("the ", " ").split())


__all__ = ["DocumentFacts", "Filters", "TeamPlace"]
