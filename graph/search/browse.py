"""Browsing the matchable resources: filter by type, organisation, place and subject, rank by BM25 when there are
words to search for (else by label), cut a page, and count facets over everything that passed.

Reads the search index only (its documents and ``SearchIndex.lexical_scores``), never the store.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from graph.search.documents import ResourceDoc
from graph.search.index import SearchIndex

#: Most values listed per facet.
FACET_SIZE = 20
#: The facets, in the order they are given.
FACETS = ("type", "organization", "region", "country", "subject")


@dataclass(frozen=True, slots=True)
class FacetCount:
    value: str  # what a filter takes (a subject's IRI, else the text itself)
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class BrowseItem:
    doc: ResourceDoc
    score: float | None  # BM25 when the browse searched for words


@dataclass(frozen=True, slots=True)
class BrowsePage:
    total: int  # resources that passed every constraint
    items: list[BrowseItem]
    facets: dict[str, list[FacetCount]]  # by name (``FACETS``), most frequent first


def browse(
    index: SearchIndex,
    *,
    q: str | None = None,
    types: Sequence[str] = (),
    organization: str | None = None,
    region: str | None = None,
    country: str | None = None,
    subject: str | None = None,
    offset: int = 0,
    limit: int = 20,
) -> BrowsePage:
    """One page of the resources that pass the constraints (text compares case-insensitively; ``subject`` is an
    IRI), ranked by BM25 of ``q`` (only resources it scores above zero) or, without words, by label; the facets count
    every resource that passed, not only the page."""
    docs = index.docs
    keep = _passing(docs, types, organization, region, country, subject)
    scores: np.ndarray | None = None
    if q and q.strip():
        scores = index.lexical_scores(q)
        keep &= scores > 0
    rows = np.flatnonzero(keep)
    if scores is not None:
        rows = rows[np.argsort(-scores[rows], kind="stable")]
    else:
        rows = rows[np.argsort([docs[int(i)].label.lower() for i in rows], kind="stable")]
    items = [
        BrowseItem(docs[int(i)], float(scores[int(i)]) if scores is not None else None)
        for i in rows[offset : offset + limit]
    ]
    return BrowsePage(len(rows), items, facets(index, rows))


def _passing(
    docs: Sequence[ResourceDoc],
    types: Sequence[str],
    organization: str | None,
    region: str | None,
    country: str | None,
    subject: str | None,
) -> np.ndarray:
    keep = np.ones(len(docs), dtype=bool)
    if types:
        keep &= np.isin(np.array([d.type for d in docs]), list(types))
    for name, value in (("organization_label", organization), ("region", region), ("country", country)):
        if value:
            wanted = value.strip().lower()
            keep &= np.array([getattr(d, name).lower() == wanted for d in docs], dtype=bool)
    if subject:
        keep &= np.array([subject in d.subjects for d in docs], dtype=bool)
    return keep


def facets(index: SearchIndex, rows: np.ndarray) -> dict[str, list[FacetCount]]:
    """Counts of each facet's values over the documents ``rows``, the ``FACET_SIZE`` most frequent of each."""
    counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for i in rows:
        d = index.docs[int(i)]
        counts["type"][d.type] += 1
        if d.organization_label:
            counts["organization"][d.organization_label] += 1
        if d.region:
            counts["region"][d.region] += 1
        if d.country:
            counts["country"][d.country] += 1
        for s in d.subjects:
            counts["subject"][s] += 1
    return {
        name: [FacetCount(v, index.label_of(v) if name == "subject" else v, n) for v, n in c.most_common(FACET_SIZE)]
        for name, c in counts.items()
    }


__all__ = ["FACETS", "FACET_SIZE", "BrowseItem", "BrowsePage", "FacetCount", "browse", "facets"]
