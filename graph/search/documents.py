"""Resource documents: what matching knows of each instrument, facility, dataset and expert.

A document is built per type from the graph: the text that is embedded and searched (label, description,
type, techniques, subjects, keywords; for experts the titles and abstracts of their grants and works, one
passage each) and the facts filters and re-ranking use (organisation and its parents, place, access,
status, subjects, links to other resources). People linked by ``owl:sameAs`` across sources become one
document that carries the evidence of all of them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.store import BASE, SparqlStore
from graph.store import sparql_queries as q
from ontology.terms import SKG_NS

RESOURCE_TYPES = ("Instrument", "Facility", "Dataset", "Expert")
#: Types a document can be built for: the resources, and concepts of subject / technique / instrument-type schemes.
DOCUMENT_TYPES = (*RESOURCE_TYPES, "Subject")
MAX_PASSAGES = 20  # an expert's most recent grants and works (the reviewer-matching protocol uses 20)
MAX_PASSAGE_CHARS = 2000

_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_P = {
    name: uri
    for name, uri in {
        "type": "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
        "label": _RDFS_LABEL,
        "alt": "http://www.w3.org/2004/02/skos/core#altLabel",
        "pref": "http://www.w3.org/2004/02/skos/core#prefLabel",
        "description": "http://purl.org/dc/terms/description",
        "abstract": "http://purl.org/dc/terms/abstract",
        "subject": "http://purl.org/dc/terms/subject",
        "publisher": "http://purl.org/dc/terms/publisher",
        "sub_org": "http://www.w3.org/ns/org#subOrganizationOf",
        "homepage": "http://xmlns.com/foaf/0.1/homepage",
        "landing": "http://www.w3.org/ns/dcat#landingPage",
        "same_as": "http://www.w3.org/2002/07/owl#sameAs",
    }.items()
}
_S = {
    name: SKG_NS + name
    for name in (
        "keyword",
        "technique",
        "instrumentType",
        "facilityType",
        "hostedBy",
        "atFacility",
        "contactPerson",
        "affiliation",
        "city",
        "region",
        "country",
        "accessTerms",
        "status",
        "active",
        "contactEmail",
        "authored",
        "principalInvestigator",
        "coPrincipalInvestigator",
        "publicationYear",
        "startDate",
        "sourcePaperTitle",
        "specification",
        "fundedBy",
    )
}

SKOS_BROADER = "http://www.w3.org/2004/02/skos/core#broader"
SKOS_DEFINITION = "http://www.w3.org/2004/02/skos/core#definition"


@dataclass(slots=True)
class ResourceDoc:
    """One matchable resource."""

    iri: str
    type: str  # Instrument | Facility | Dataset | Expert
    label: str
    passages: list[str]  # embedded one by one (an expert's vector is their mean); joined for lexical search
    names: list[str] = field(default_factory=list)  # names and acronyms: searched lexically, not embedded
    description: str = ""
    source: str = ""
    organizations: list[str] = field(default_factory=list)  # IRIs: the host and every organisation above it
    organization_label: str = ""
    city: str = ""
    region: str = ""
    country: str = ""
    access: str = ""
    status: str = ""
    homepage: str = ""
    contact_email: str = ""
    subjects: list[str] = field(default_factory=list)  # subject IRIs
    related: dict[str, list[str]] = field(default_factory=dict)  # relation -> resource IRIs (facility, contact…)
    members: list[str] = field(default_factory=list)  # every IRI this document stands for (linked people)
    #: An expert's grants and works as (title, year; 0 unknown), most recent first: ``passages[-len(works):]``
    works: list[tuple[str, int]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # every rdfs:label by language tag ("" for untagged)

    @property
    def text(self) -> str:
        """What lexical search reads: the names, then the passages."""
        return "\n".join([*self.names, *self.passages])


def _source(iri: str) -> str:
    parts = iri.removeprefix(BASE).split("/")
    return parts[1] if len(parts) > 2 else ""


class _Graph:
    """The parts of the store documents are built from, read once (a few queries, no per-resource queries)."""

    def __init__(self, store: SparqlStore) -> None:
        self.store = store
        self.labels = {s: label for s, label in self._pairs(q.DOCUMENT_LABELS_QUERY)}
        self.props: dict[str, dict[str, list[ox.NamedNode | ox.Literal]]] = defaultdict(lambda: defaultdict(list))

    def _pairs(self, query: str, **bind: str) -> Iterable[tuple[str, str]]:
        rows = self.store.query(query.replace("?p ", f"<{bind['p']}> ") if bind else query)
        assert isinstance(rows, ox.QuerySolutions)
        for row in rows:
            yield row[0].value, row[1].value

    def load_type(self, class_local_name: str) -> list[str]:
        query = q.DOCUMENT_PROPERTIES_QUERY.replace("?type", f"<{SKG_NS}{class_local_name}>")
        rows = self.store.query(query)
        assert isinstance(rows, ox.QuerySolutions)
        subjects: dict[str, None] = {}
        for row in rows:
            s, p, o = row[0].value, row[1].value, row[2]
            subjects[s] = None
            self.props[s][p].append(o)
        return list(subjects)

    def edges(self, predicate: str) -> list[tuple[str, str]]:
        return list(self._pairs(q.DOCUMENT_EDGES_QUERY, p=predicate))

    def values(self, s: str, p: str) -> list[str]:
        return [o.value for o in self.props.get(s, {}).get(p, [])]

    def first(self, s: str, p: str) -> str:
        """The value of ``p`` as the source wrote it: an untagged literal first, then English, then any other."""
        found = self.props.get(s, {}).get(p, [])
        if not found:
            return ""
        untagged = [o for o in found if not isinstance(o, ox.Literal) or not o.language]
        english = [o for o in found if isinstance(o, ox.Literal) and (o.language or "").startswith("en")]
        return (untagged or english or found)[0].value

    def by_language(self, s: str, p: str) -> dict[str, str]:
        """The literals of ``p`` by language tag (``""`` for untagged), the first of each language."""
        found: dict[str, str] = {}
        for o in self.props.get(s, {}).get(p, []):
            if isinstance(o, ox.Literal):
                found.setdefault(o.language or "", o.value)
        return found


def build_documents(
    store: SparqlStore, types: Iterable[str] = RESOURCE_TYPES
) -> tuple[list[ResourceDoc], dict[str, str]]:
    """Every matchable resource of the given types, in a stable order (type, then IRI), and the labels of the
    organisations and resources they point to (for paths and display)."""
    g = _Graph(store)
    for aux in ("Organization", "Subject", "Grant", "Output"):
        g.load_type(aux)
    builders = {
        "Instrument": _instruments,
        "Facility": _facilities,
        "Dataset": _datasets,
        "Expert": _experts,
        "Subject": _concepts,
    }
    docs: list[ResourceDoc] = []
    for type_name in types:
        docs.extend(sorted(builders[type_name](g), key=lambda d: d.iri))
    pointed = {o for d in docs for o in d.organizations} | {r for d in docs for rs in d.related.values() for r in rs}
    return docs, {iri: g.labels[iri] for iri in pointed if iri in g.labels}


def _org_chain(g: _Graph, org: str) -> list[str]:
    chain, seen = [], set()
    while org and org not in seen:
        chain.append(org)
        seen.add(org)
        org = g.first(org, _P["sub_org"])
    return chain


def _base(g: _Graph, iri: str, type_name: str, passages: list[str], org: str = "") -> ResourceDoc:
    chain = _org_chain(g, org) if org else []
    org_label = ", ".join(g.labels.get(o, "") for o in chain[:2] if g.labels.get(o))
    return ResourceDoc(
        iri=iri,
        type=type_name,
        label=g.first(iri, _P["label"]),
        passages=passages,
        description=g.first(iri, _P["description"]),
        source=_source(iri),
        organizations=chain,
        organization_label=org_label,
        city=g.first(iri, _S["city"]),
        region=g.first(iri, _S["region"]),
        country=g.first(iri, _S["country"]),
        access=g.first(iri, _S["accessTerms"]),
        status=g.first(iri, _S["status"]) or _active(g.first(iri, _S["active"])),
        homepage=g.first(iri, _P["homepage"]) or g.first(iri, _P["landing"]),
        contact_email=g.first(iri, _S["contactEmail"]),
        subjects=g.values(iri, _P["subject"]),
        members=[iri],
        labels=g.by_language(iri, _P["label"]),
    )


def _active(value: str) -> str:
    return {"true": "active", "false": "inactive"}.get(value, "")


def _line(label: str, values: Iterable[str]) -> str:
    items = [v for v in dict.fromkeys(values) if v]
    return f"{label}: {'; '.join(items)}." if items else ""


def _join(*parts: str) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


def _subject_labels(g: _Graph, iri: str) -> list[str]:
    return [g.labels.get(s, "") for s in g.values(iri, _P["subject"])]


class _TechniqueLinker:
    """Finds the concepts (PaNET techniques, CHMO instrument types, …) an instrument's technique text names,
    by preferred or alternative label: "General purpose XAFS" names *x-ray absorption fine structure*."""

    ABBREVIATION = re.compile(r"\b[A-Z][A-Za-z0-9-]*[A-Z0-9][A-Za-z0-9-]*\b")

    def __init__(self, g: _Graph) -> None:
        by_label: dict[str, set[str]] = defaultdict(set)
        for iri, props in g.props.items():
            if SKG_NS + "Subject" not in [t.value for t in props.get(_P["type"], [])]:
                continue
            for label in [*g.values(iri, _P["pref"]), *g.values(iri, _P["alt"])]:
                if len(label) >= 3:
                    by_label[label.lower()].add(iri)
        self.by_label = {label: next(iter(iris)) for label, iris in by_label.items() if len(iris) == 1}

    def link(self, phrases: Iterable[str], names: Iterable[str] = ()) -> list[str]:
        """Concepts named by whole ``names`` or by a technique phrase or an abbreviation inside one."""
        found: dict[str, None] = {}
        for phrase in [*phrases, *names]:
            keys = [phrase] if phrase in names else [phrase, *self.ABBREVIATION.findall(phrase)]
            for key in keys:
                iri = self.by_label.get(key.strip().lower())
                if iri:
                    found[iri] = None
        return list(found)


def _instruments(g: _Graph) -> list[ResourceDoc]:
    linker = _TechniqueLinker(g)
    docs = []
    for iri in g.load_type("Instrument"):
        facility = g.first(iri, _S["atFacility"])
        techniques = g.values(iri, _S["technique"])
        linked = linker.link([*techniques, *g.values(iri, _S["instrumentType"])], [g.first(iri, _P["label"])])
        text = _join(
            g.first(iri, _P["label"]) + ".",
            g.first(iri, _P["description"]),
            _line("Instrument type", g.values(iri, _S["instrumentType"])),
            _line("Techniques", [*techniques, *(g.first(s, _P["pref"]) for s in linked)]),
            _line("Keywords", g.values(iri, _S["keyword"])),
            _line("Subjects", _subject_labels(g, iri)),
            _line("At", [g.labels.get(facility, "")]),
        )
        doc = _base(g, iri, "Instrument", [text], g.first(iri, _S["hostedBy"]))
        doc.subjects = list(dict.fromkeys([*doc.subjects, *linked]))
        doc.related = {
            "facility": [facility] if facility else [],
            "contact": g.values(iri, _S["contactPerson"]),
            "technique": linked,  # the technique and instrument-type concepts its text names: graph evidence
        }
        docs.append(doc)
    return docs


def _facilities(g: _Graph) -> list[ResourceDoc]:
    instruments_at: dict[str, list[str]] = defaultdict(list)
    for instrument, facility in g.edges(_S["atFacility"]):
        instruments_at[facility].append(instrument)
    docs = []
    for iri in g.load_type("Facility"):
        techniques = [t for i in instruments_at[iri] for t in g.values(i, _S["technique"])]
        text = _join(
            g.first(iri, _P["label"]) + ".",
            g.first(iri, _P["description"]),
            _line("Facility type", g.values(iri, _S["facilityType"])),
            _line("Techniques offered", techniques),
            _line("Country", g.values(iri, _S["country"])),
        )
        doc = _base(g, iri, "Facility", [text], g.first(iri, _S["hostedBy"]))
        doc.names = g.values(iri, _P["alt"])
        doc.related = {"instrument": sorted(instruments_at[iri])}
        docs.append(doc)
    return docs


def _datasets(g: _Graph) -> list[ResourceDoc]:
    docs = []
    for iri in g.load_type("Dataset"):
        # A dataset's name (MuMu, 3DPW) tells a language model little: the embedded text is what it is about,
        # led by the title of the paper that introduced it (the recipe of the DataFinder baselines); the names
        # go to lexical search. Measured on datafinder-dev (nDCG@10, plain cosine): name first 0.166, paper
        # title + description 0.201; markdown stripped 0.178, so the description is kept as written.
        text = _join(
            g.first(iri, _S["sourcePaperTitle"]),
            g.first(iri, _P["description"]),
            _line("Keywords", g.values(iri, _S["keyword"])),
            _line("Subjects", _subject_labels(g, iri)),
        )
        doc = _base(g, iri, "Dataset", [text or g.first(iri, _P["label"])], g.first(iri, _P["publisher"]))
        doc.names = [g.first(iri, _P["label"]), *g.values(iri, _P["alt"])]
        docs.append(doc)
    return docs


def _experts(g: _Graph) -> list[ResourceDoc]:
    grants_of: dict[str, list[str]] = defaultdict(list)
    for role in ("principalInvestigator", "coPrincipalInvestigator"):
        for grant, person in g.edges(_S[role]):
            grants_of[person].append(grant)
    instruments_of: dict[str, list[str]] = defaultdict(list)
    for instrument, person in g.edges(_S["contactPerson"]):
        instruments_of[person].append(instrument)
    people = g.load_type("Expert")
    clusters = _clusters(people, g.edges(_P["same_as"]))
    docs = []
    for members in clusters:
        docs.append(_expert(g, members, grants_of, instruments_of))
    return docs


def _expert(
    g: _Graph, members: list[str], grants_of: dict[str, list[str]], instruments_of: dict[str, list[str]]
) -> ResourceDoc:
    dated: dict[str, tuple[str, str, str]] = {}  # grant or work -> (year, passage, title)
    for person in members:
        for grant in grants_of[person]:
            dated[grant] = (g.first(grant, _S["startDate"])[:4], _passage(g, grant), g.first(grant, _P["label"]))
        for work in g.values(person, _S["authored"]):
            dated[work] = (g.first(work, _S["publicationYear"]), _passage(g, work), g.first(work, _P["label"]))
    recent = sorted(dated.values(), key=lambda item: item[0], reverse=True)[:MAX_PASSAGES]
    head = members[0]
    profile = _join(
        _line("Research topics", [k for m in members for k in g.values(m, _S["keyword"])]),
        _line("Subjects", [s for m in members for s in _subject_labels(g, m)]),
    )
    passages = ([profile] if profile else []) + [text for _, text, _ in recent]
    affiliation = next((o for m in members for o in g.values(m, _S["affiliation"])), "")
    doc = _base(g, head, "Expert", passages or [g.first(head, _P["label"])], affiliation)
    doc.names = list(dict.fromkeys(g.first(m, _P["label"]) for m in members))
    doc.members = members
    doc.works = [(title, int(year) if year.isdigit() else 0) for year, _, title in recent]
    doc.related = {
        "instrument": sorted({i for m in members for i in instruments_of[m]}),
        "grant": sorted({grant for m in members for grant in grants_of[m]}),  # for a diverse list (no clumps)
    }
    for m in members[1:]:
        doc.city = doc.city or g.first(m, _S["city"])
        doc.region = doc.region or g.first(m, _S["region"])
        doc.country = doc.country or g.first(m, _S["country"])
    return doc


def _concepts(g: _Graph) -> list[ResourceDoc]:
    docs = []
    for iri in [s for s in g.props if SKG_NS + "Subject" in g.values(s, _P["type"])]:
        broader = [g.labels.get(b, "") for b in g.values(iri, SKOS_BROADER)]
        text = _join(
            g.first(iri, _P["pref"]) + ".",
            _line("Also called", g.values(iri, _P["alt"])),
            g.first(iri, SKOS_DEFINITION),
            _line("A kind of", broader),
        )
        doc = _base(g, iri, "Subject", [text])
        doc.label = g.first(iri, _P["pref"]) or doc.label
        doc.related = {"broader": g.values(iri, SKOS_BROADER)}
        docs.append(doc)
    return docs


def _passage(g: _Graph, node: str) -> str:
    text = _join(g.first(node, _P["label"]) + ".", g.first(node, _P["abstract"]))
    return text[:MAX_PASSAGE_CHARS]


def _clusters(people: list[str], same_as: list[tuple[str, str]]) -> list[list[str]]:
    """Groups of people joined by owl:sameAs; each group sorted, the first IRI standing for the group."""
    parent = {p: p for p in people}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in same_as:
        if a in parent and b in parent:
            parent[root(a)] = root(b)
    groups: dict[str, list[str]] = defaultdict(list)
    for p in people:
        groups[root(p)].append(p)
    return [sorted(members) for members in groups.values()]


__all__ = ["DOCUMENT_TYPES", "RESOURCE_TYPES", "ResourceDoc", "build_documents"]
