"""Which records of an input fall outside one organisation: the check behind a resource centre's upload rights.

A record is inside when it names at least one organisation and every organisation it names is the centre's or a
unit under it (organisation IRIs are paths: a department's IRI extends its university's; a unit whose IRI does not
is followed up its ``org:subOrganizationOf`` in the store).

Usage and capacity rows are judged by the resource they are about, not by who used it: a centre records the use of
its own instruments by anyone (an outside team included), and never the use or the capacity of another
organisation's. The resource's organisations are looked up in the store (``skg:hostedBy``, ``dct:publisher``,
``skg:affiliation``; for an instrument without one, its facility's), so a row about a resource the graph does not
hold is outside: it cannot be shown to be the centre's.
"""

from __future__ import annotations

from graph.store import BASE, Store
from ingest.mapping import map_record, ref_iri
from ingest.pipeline import SourcePlan, read_items
from ingest.records import Capacity, Record, UsageRecord
from ingest.report import Reject
from ontology.terms import DCT, ORG_, SKG

#: Predicates that say which organisation a resource belongs to.
OWNER_PREDICATES = frozenset({SKG.hostedBy.value, DCT.publisher.value, SKG.affiliation.value})
#: How far up ``org:subOrganizationOf`` a unit is followed.
MAX_UNIT_DEPTH = 8


def records_outside(plan_: SourcePlan, organization_iri: str, store: Store) -> list[Reject]:
    """One reject per record of the plan's files that is not the organisation's own (reader rejects are left to
    the ingest itself, which reports them the usual way)."""
    owners = _Owners(store, organization_iri)
    outside: list[Reject] = []
    for path, reader in plan_.files:
        for item in read_items(path, reader, plan_.source):
            if isinstance(item, Reject):
                continue
            reason = owners.about_resource(item) if isinstance(item, UsageRecord | Capacity) else _named(item, owners)
            if reason is not None:
                origin = item.origin
                field = "resource" if isinstance(item, UsageRecord | Capacity) else "organization"
                outside.append(Reject(origin.source, origin.line, origin.record_id, field, reason))
    return outside


def _named(record: Record, owners: _Owners) -> str | None:
    try:
        named = [group[0][0].value for group in map_record(record).context if group]
    except ValueError:
        return None  # unmappable: the ingest rejects it with its reason
    foreign = [o for o in named if not owners.within(o)]
    if foreign:
        return f"names organisation {foreign[0]}, not yours ({owners.organization})"
    return None if named else "names no organisation, so it cannot be shown to be yours"


class _Owners:
    """The store's answer to "is this organisation (or this resource) the centre's?", remembered per IRI."""

    def __init__(self, store: Store, organization_iri: str) -> None:
        self.store = store
        self.organization = organization_iri
        self.inside: dict[str, bool] = {}

    def within(self, iri: str, depth: int = 0) -> bool:
        if iri == self.organization or iri.startswith(self.organization + "/"):
            return True
        if depth >= MAX_UNIT_DEPTH:
            return False
        if iri not in self.inside:
            parents = [o.value for p, o in self.store.describe(iri) if p == ORG_.subOrganizationOf]
            self.inside[iri] = any(self.within(parent, depth + 1) for parent in parents)
        return self.inside[iri]

    def about_resource(self, record: UsageRecord | Capacity) -> str | None:
        resource = ref_iri(record.resource).value
        owners = self._owners(resource)
        if not owners:
            if not self.store.describe(resource):
                return f"resource {resource} is not in the graph, so it cannot be shown to be yours"
            return f"resource {resource} names no organisation, so it cannot be shown to be yours"
        foreign = [o for o in owners if not self.within(o)]
        if foreign:
            return f"resource {resource} is of organisation {foreign[0]}, not yours ({self.organization})"
        return None

    def _owners(self, resource: str) -> list[str]:
        statements = self.store.describe(resource)
        owners = [o.value for p, o in statements if p.value in OWNER_PREDICATES and o.value.startswith(BASE)]
        if not owners:
            for p, o in statements:
                if p == SKG.atFacility:
                    owners += [f.value for q, f in self.store.describe(o.value) if q.value in OWNER_PREDICATES]
        return owners


__all__ = ["records_outside"]
