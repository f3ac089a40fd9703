"""Library results (``graph.search.matcher`` dataclasses) to the wire shapes of ``api.schemas``, and resource ids.

A resource's id in URLs is its IRI without the common base (``instrument/uniquip-st-andrews/123``). A result's
label is shown in the reader's language where its document has one (``api.languages``), else as the source wrote it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict

import pyoxigraph as ox

from api.languages import pick
from api.problems import Problem
from api.schemas import (
    BundleMemberOut,
    BundleOut,
    ExplanationOut,
    MatchResponseOut,
    MatchResultOut,
    PathStepOut,
    ReasonOut,
)
from graph.search import Bundle, MatchResponse, MatchResult, PathStep, ResourceDoc
from graph.store import BASE


def resource_id(iri: str) -> str:
    """>>> resource_id("https://w3id.org/sharekg/id/instrument/st-andrews/42")
    'instrument/st-andrews/42'
    """
    return iri.removeprefix(BASE)


def resource_iri(rid: str) -> str:
    """The IRI of an id; an id that would leave the sharekg namespace is refused."""
    rid = rid.strip("/")
    refused = Problem(404, "Not found", f"{rid!r} is not a sharekg resource id (e.g. instrument/<source>/<id>)")
    if not rid or "://" in rid or any(c in rid for c in '<>" {}|\\^`'):
        raise refused
    try:
        ox.NamedNode(BASE + rid)  # control characters and the like: not an IRI (found by the schema fuzz test)
    except ValueError as e:
        raise refused from e
    return BASE + rid


# The library's results are typed and already checked: the wire models are built without validating them again
# (``model_construct``): a /match answer is serialised once, without re-validation (what that changed under load:
# ``benchmarks/results/load.md``).


def path_out(steps: list[PathStep]) -> list[PathStepOut]:
    return [
        PathStepOut.model_construct(
            relation=s.relation,
            iri=s.iri,
            id=resource_id(s.iri) if s.iri and s.iri.startswith(BASE) else None,
            label=s.label,
            type=s.type,
        )
        for s in steps
    ]


def localised_label(doc: ResourceDoc, wanted: Sequence[str]) -> str:
    """The document's label in the first ``wanted`` language it has one in, else as the source wrote it (its untagged
    label, else the document's label)."""
    return pick(doc.labels, wanted, doc.label) if doc.labels else doc.label


def result_out(r: MatchResult, label: str | None = None) -> MatchResultOut:
    """The result on the wire; ``label`` (the reader's) replaces the result's own when given."""
    e = r.explanation
    explanation = ExplanationOut.model_construct(
        summary=e.summary(),
        matched_terms=e.matched_terms,
        matched_sentences=e.matched_sentences,
        shared_subjects=e.shared_subjects,
        path=path_out(e.path),
        signals=e.signals,
        evidence=e.evidence,
        reasons=[ReasonOut.model_construct(**{**asdict(r), "names": list(r.names)}) for r in e.reasons],
        works=e.works,
        glossary=[{"source": s, "terms": terms} for s, terms in e.glossary],
    )
    return MatchResultOut.model_construct(
        id=resource_id(r.iri),
        iri=r.iri,
        type=r.type,
        label=label or r.label,
        score=r.score,
        organization=r.organization,
        place=r.place,
        access=r.access,
        homepage=r.homepage,
        explanation=explanation,
        fit=r.fit,
        band=r.band,
    )


def response_out(
    response: MatchResponse,
    need_id: int | None,
    wanted: Sequence[str] = (),
    doc: Callable[[str], ResourceDoc | None] | None = None,
) -> MatchResponseOut:
    """The answer on the wire; with ``doc`` (the index's lookup by IRI), each result's label is its document's in the
    first of the reader's languages ``wanted`` it has, else as the source wrote it."""

    def label(r: MatchResult) -> str | None:
        found = doc(r.iri) if doc is not None else None
        return localised_label(found, wanted) if found is not None else None

    return MatchResponseOut.model_construct(
        need=response.need,
        need_id=need_id,
        need_subjects=response.need_subjects,
        results={t: [result_out(r, label(r)) for r in results] for t, results in response.results.items()},
        notes=response.notes,
        unknown_words=response.unknown_words,
    )


def bundle_out(b: Bundle) -> BundleOut:
    members = [
        BundleMemberOut(
            role=m.role,
            id=resource_id(m.iri),
            iri=m.iri,
            label=m.label,
            similarity=m.similarity,
            relation=m.relation,
            fit=m.fit,
            band=m.band or None,
        )
        for m in b.members
    ]
    return BundleOut(fit=b.fit, score=b.score, members=members, path=path_out(b.path))


__all__ = ["bundle_out", "localised_label", "path_out", "resource_id", "resource_iri", "response_out", "result_out"]
