"""One resource as people and machines read it: JSON for the web page, JSON-LD with a published context, Turtle.

Everything comes from ``Store.describe`` / ``Store.incoming``, so it works on every backend; labels of the
IRIs it points to are looked up in one pass. The JSON view shows its label, description and the labels of terms in
the reader's languages where the graph has them (``api.languages.pick``); JSON-LD and Turtle carry every literal with
its language tag.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cache

import pyoxigraph as ox

from api.convert import resource_id
from api.languages import pick
from api.schemas import AccessOut, PropertyOut, ResourceOut, TermOut
from graph.search import ResourceDoc
from graph.store import BASE, Store, Term
from ontology.terms import DCT, PREFIXES, RDF_, RDFS_, ontology_text

INCOMING_LIMIT = 200
#: The path the JSON-LD context is published at.
CONTEXT_PATH = "/context.jsonld"


@cache
def _vocabulary_labels() -> dict[str, dict[str, str]]:
    """Labels of the ontology's own terms (classes and properties) by language, from sharekg.ttl."""
    graph = ox.Store()
    graph.load(ontology_text("sharekg.ttl"), format=ox.RdfFormat.TURTLE)
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for q in graph.quads_for_pattern(None, RDFS_.label, None):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
            labels[q.subject.value][q.object.language or ""] = q.object.value
    return dict(labels)


def curie(iri: str) -> str:
    """>>> curie("http://www.w3.org/2000/01/rdf-schema#label")
    'rdfs:label'
    """
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def term_label(iri: str, wanted: Sequence[str] = ()) -> str:
    """The ontology's label of a term in the first ``wanted`` language it has (English otherwise), else its local name.

    >>> term_label("https://w3id.org/sharekg/ns#hostedBy"), term_label("https://w3id.org/sharekg/ns#hostedBy", ["zh"])
    ('hosted by', '依托单位')
    """
    known = _vocabulary_labels().get(iri)
    if known:
        return pick(known, wanted, known.get("en") or next(iter(known.values())))
    local = curie(iri).split(":", 1)[-1].split("/")[-1].split("#")[-1]
    return local


def texts_of(pairs: Iterable[tuple[ox.NamedNode, Term]], predicate: str) -> tuple[dict[str, str], str]:
    """The literals of ``predicate`` by language tag (``""`` for untagged), and the first of them ("" if none)."""
    texts: dict[str, str] = {}
    first = ""
    for p, value in pairs:
        if p.value == predicate and isinstance(value, ox.Literal):
            texts.setdefault(value.language or "", value.value)
            first = first or value.value
    return texts, first


def labels_of(store: Store, iris: set[str], wanted: Sequence[str] = ()) -> dict[str, str]:
    """rdfs:label of each IRI that has one, in the first ``wanted`` language it has (one describe per IRI: cheap on
    both backends, bounded by the caller)."""
    found: dict[str, str] = {}
    for iri in iris:
        texts, first = texts_of(store.describe(iri), RDFS_.label.value)
        if first:
            found[iri] = pick(texts, wanted, first)
    return found


def _term(value: Term, labels: dict[str, str]) -> TermOut:
    if isinstance(value, ox.NamedNode):
        rid = resource_id(value.value) if value.value.startswith(BASE) else None
        return TermOut(value=value.value, iri=True, label=labels.get(value.value) or None, id=rid)
    if isinstance(value, ox.Literal):
        datatype = value.datatype.value if value.datatype and not value.language else None
        return TermOut(value=value.value, iri=False, lang=value.language, datatype=datatype)
    return TermOut(value=str(value), iri=False)


def _group(pairs: list[tuple[ox.NamedNode, Term]], labels: dict[str, str], wanted: Sequence[str]) -> list[PropertyOut]:
    grouped: dict[str, list[Term]] = defaultdict(list)
    for predicate, value in pairs:
        grouped[predicate.value].append(value)
    return [
        PropertyOut(predicate=p, label=term_label(p, wanted), values=[_term(v, labels) for v in values])
        for p, values in grouped.items()
    ]


def resource_view(store: Store, iri: str, doc: ResourceDoc | None, wanted: Sequence[str] = ()) -> ResourceOut | None:
    """The resource as JSON, or None when the graph does not mention it as a subject. Its label, description and
    the labels of the terms and resources it names are in the first ``wanted`` language each has, else as written."""
    own = store.describe(iri)
    if not own:
        return None
    incoming = store.incoming(iri, INCOMING_LIMIT)
    targets = {v.value for _, v in own if isinstance(v, ox.NamedNode) and v.value.startswith(BASE)}
    targets |= {s.value for s, _ in incoming}
    related = doc.related if doc is not None else {}
    access_iris = {*related.get("contact", []), *related.get("facility", [])}
    labels = labels_of(store, set(list(targets - access_iris)[:INCOMING_LIMIT]) | access_iris, wanted)
    types = [v.value for p, v in own if p == RDF_.type and isinstance(v, ox.NamedNode)]
    labels_here, first_label = texts_of(own, RDFS_.label.value)
    descriptions, first_description = texts_of(own, DCT.description.value)
    label = pick(labels_here, wanted, first_label or iri)
    description = pick(descriptions, wanted, first_description)
    access = None
    if doc is not None:
        access = AccessOut(
            terms=doc.access,
            organization=doc.organization_label,
            place=", ".join(p for p in (doc.city, doc.region, doc.country) if p),
            homepage=doc.homepage,
            contact_email=doc.contact_email,
            contacts=[_term(ox.NamedNode(c), labels) for c in related.get("contact", [])],
            facility=[_term(ox.NamedNode(f), labels) for f in related.get("facility", [])],
        )
    rid = resource_id(iri)
    in_pairs = [(p, s) for s, p in incoming]
    return ResourceOut(
        id=rid,
        iri=iri,
        type=doc.type if doc else term_label(types[0]) if types else "Resource",
        types=types,
        label=label,
        description=description,
        access=access,
        properties=_group([(p, v) for p, v in own if p != RDF_.type], labels, wanted),
        incoming=_group(in_pairs, labels, wanted),  # type: ignore[arg-type]
        links={
            "self": f"/resources/{rid}",
            "jsonld": f"/resources/{rid}?format=jsonld",
            "turtle": f"/resources/{rid}?format=turtle",
            "matches": f"/resources/{rid}/matches",
            "neighbourhood": f"/resources/{rid}/neighbourhood",
            "impact": f"/resources/{rid}/impact",
            "page": f"/ui/resource.html?id={rid}",
        },
    )


def jsonld_context() -> dict[str, object]:
    """The published @context: the prefixes, plus the everyday names of the few terms most documents use."""
    context: dict[str, object] = dict(PREFIXES)
    context.update(
        {
            "label": "rdfs:label",
            "description": "dcterms:description",
            "subject": {"@id": "dcterms:subject", "@type": "@id"},
        }
    )
    return {"@context": context}


def resource_jsonld(store: Store, iri: str, context_url: str) -> dict[str, object] | None:
    own = store.describe(iri)
    if not own:
        return None
    node: dict[str, object] = {"@context": context_url, "@id": iri}
    types = [curie(v.value) for p, v in own if p == RDF_.type and isinstance(v, ox.NamedNode)]
    if types:
        node["@type"] = types
    grouped: dict[str, list[object]] = defaultdict(list)
    for predicate, value in own:
        if predicate == RDF_.type:
            continue
        if isinstance(value, ox.NamedNode):
            grouped[curie(predicate.value)].append({"@id": value.value})
        elif isinstance(value, ox.Literal):
            item: dict[str, str] = {"@value": value.value}
            if value.language:
                item["@language"] = value.language
            elif value.datatype and value.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
                item["@type"] = curie(value.datatype.value)
            grouped[curie(predicate.value)].append(item)
    node.update({k: v[0] if len(v) == 1 else v for k, v in grouped.items()})
    return node


def resource_turtle(store: Store, iri: str) -> bytes | None:
    own = store.describe(iri)
    if not own:
        return None
    subject = ox.NamedNode(iri)
    triples = [ox.Triple(subject, p, v) for p, v in own]
    data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    assert data is not None
    return data


__all__ = ["CONTEXT_PATH", "curie", "jsonld_context", "resource_jsonld", "resource_turtle", "resource_view"]
