"""Which records of an input fall outside one organisation: the check behind a resource centre's upload rights.

A record is inside when it names at least one organisation and every organisation it names is the centre's or a
unit under it (organisation IRIs are paths: a department's IRI extends its university's).
"""

from __future__ import annotations

from ingest.mapping import map_record
from ingest.pipeline import SourcePlan
from ingest.report import Reject


def records_outside(plan_: SourcePlan, organization_iri: str) -> list[Reject]:
    """One problem per record of the plan's files that is not the organisation's own (reader problems are left to
    the ingest itself, which reports them the usual way)."""
    outside: list[Reject] = []
    for path, reader in plan_.files:
        for item in reader.read(path, plan_.source):
            if isinstance(item, Reject):
                continue
            origin = item.origin
            try:
                named = [group[0][0].value for group in map_record(item).context if group]
            except ValueError:
                continue  # unmappable: the ingest rejects it with its reason
            foreign = [o for o in named if not _within(o, organization_iri)]
            if not named or foreign:
                reason = (
                    f"names organisation {foreign[0]}, not yours ({organization_iri})"
                    if foreign
                    else "names no organisation, so it cannot be shown to be yours"
                )
                outside.append(Reject(origin.source, origin.line, origin.record_id, "organization", reason))
    return outside


def _within(iri: str, organization_iri: str) -> bool:
    return iri == organization_iri or iri.startswith(organization_iri + "/")


__all__ = ["records_outside"]
