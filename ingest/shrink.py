"""The guard against a run that would wipe a source: an empty export, a truncated file, bytes in the wrong format.

Decision: a new version of a source is refused, unless the caller allows it explicitly (``--allow-shrink``, the
``allow_shrink`` field of ``POST /ingest``), when it would remove

- more than half of the source's typed nodes (all types together: instruments, organisations, people, ...), or
- more than half of the nodes of any one type that has at least ``MIN_TYPE_SIZE`` of them (so "612 of 623
  instruments gone" is refused even when the source's people and organisations stay).

Removing all of a source is the extreme case of the first rule; an input with no records at all is refused earlier,
by the pipeline, as a failed run.

Small types are left to the first rule: a source with three organisations may well rename one. Provenance nodes
(the ingest run and its input files) are not counted. Nodes are compared by type, as ``count_by_type`` of the
store counts them: distinct subjects with that ``rdf:type`` in the source's graph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from graph.errors import ShrinkRefusal
from graph.store import Store, Triple
from ontology.terms import PROV_, RDF_, SKG

#: A type with at least this many nodes is refused on its own when it would lose more than half of them.
MIN_TYPE_SIZE = 10
#: Bookkeeping types of a run's provenance, not records.
PROVENANCE_TYPES = frozenset({SKG.IngestRun.value, SKG.InputFile.value, PROV_.Activity.value})


class TypeTally:
    """Distinct subjects per ``rdf:type`` of the triples passed through ``watch``."""

    def __init__(self) -> None:
        self.subjects: dict[str, set[str]] = {}

    def watch(self, triples: Iterable[Triple]) -> Iterator[Triple]:
        for triple in triples:
            s, p, o = triple
            if p == RDF_.type and o.value not in PROVENANCE_TYPES:
                self.subjects.setdefault(o.value, set()).add(s.value)
            yield triple

    def counts(self) -> dict[str, int]:
        return {t: len(s) for t, s in self.subjects.items()}


def published_counts(store: Store, source: str) -> dict[str, int]:
    """Typed nodes per type in the source's published graph (empty when the source is new)."""
    return {c.type: c.count for c in store.count_by_type() if c.source == source and c.type not in PROVENANCE_TYPES}


def removals(current: dict[str, int], new: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Type → (nodes the new graph would lose, nodes the published graph has), for the types that lose any.

    >>> removals({"x/Instrument": 623, "x/Organization": 3}, {"x/Instrument": 11, "x/Organization": 4})
    {'x/Instrument': (612, 623)}
    """
    return {t: (n - new.get(t, 0), n) for t, n in sorted(current.items()) if new.get(t, 0) < n}


def refuses(current: dict[str, int], new: dict[str, int]) -> bool:
    """Whether replacing ``current`` by ``new`` shrinks the source past the rules above.

    >>> refuses({"I": 623, "O": 3}, {"I": 11, "O": 3})
    True
    >>> refuses({"I": 4, "O": 3}, {"I": 2, "O": 3})
    False
    >>> refuses({"I": 4}, {})
    True
    >>> refuses({"I": 2}, {"I": 1})
    False
    """
    lost = removals(current, new).values()
    if 2 * sum(gone for gone, _ in lost) > sum(current.values()):
        return True
    return any(have >= MIN_TYPE_SIZE and 2 * gone > have for gone, have in lost)


def check(source: str, current: dict[str, int], new: dict[str, int]) -> None:
    """Raise ``ShrinkRefusal`` naming what would go when ``new`` shrinks the source past the rules."""
    if not refuses(current, new):
        return
    lost = removals(current, new)
    what = ", ".join(f"{gone:,} of {have:,} {_plural(t)}" for t, (gone, have) in lost.items())
    raise ShrinkRefusal(
        f"{source}: this input would remove {what}; nothing was written, the published graph is unchanged. "
        "If the source really shrank, run again with --allow-shrink (POST /ingest: allow_shrink=true)",
        lost,
    )


def _plural(type_iri: str) -> str:
    """``.../UsageRecord`` → ``usage records``.

    >>> _plural("https://w3id.org/sharekg/ns#Facility"), _plural("https://w3id.org/sharekg/ns#UsageRecord")
    ('facilities', 'usage records')
    """
    local = re.split(r"[#/]", type_iri)[-1]
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).lower()
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


__all__ = ["MIN_TYPE_SIZE", "TypeTally", "check", "published_counts", "refuses", "removals"]
