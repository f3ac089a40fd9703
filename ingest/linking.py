"""Entity linking: the same person or organisation arriving from several sources becomes one entity.

Organisations need no step of their own: their IRI is minted from the normalised name, so two
sources naming "University of Colorado at Boulder" write about one node (``organizations_shared``
counts those). People keep their per-source IRIs (one source's "J. Smith" is not proof of another's),
and this module links two of them with ``owl:sameAs`` when one of these rules holds, strongest first:

1. ``same-orcid``: both carry the same ORCID;
2. ``same-grant-and-name``: both hold the same grant (e.g. an NSF award) and their names agree
   (equal after normalising, or the same family name and first initial);
3. ``same-name-and-organisation``: equal normalised names and a shared affiliation.

The links live in a derived source ``links``, recomputed over the whole store after every ingest
and published like any other source; each link records the rule that made it (``skg:linkRule``).
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

import pyoxigraph as ox

from graph.store import BASE, SparqlStore, Store, Triple, sparql_view
from graph.store import sparql_queries as q
from ingest.report import LinkCounts, RunReport
from ontology.terms import OWL_, RDF_, SKG, SKG_NS

LINKS_SOURCE = "links"


def distinct_entities(store: SparqlStore) -> dict[str, int]:
    """Entities per type over all sources: shared IRIs counted once, and people linked by ``owl:sameAs`` once."""
    rows = store.query(q.DISTINCT_ENTITIES_QUERY)
    pairs = store.query(q.SAME_AS_QUERY)
    assert isinstance(rows, ox.QuerySolutions) and isinstance(pairs, ox.QuerySolutions)
    counts = {r["type"].value.removeprefix(SKG_NS): int(r["n"].value) for r in rows}
    if "Expert" in counts:
        counts["Expert"] -= _merged_away([(r["a"].value, r["b"].value) for r in pairs])
    return counts


def _merged_away(pairs: list[tuple[str, str]]) -> int:
    """How many nodes disappear when each connected group of linked nodes becomes one (union-find)."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[root(a)] = root(b)
    return len(parent) - len({root(x) for x in parent})


def _pairs(store: SparqlStore, query: str) -> dict[str, set[str]]:
    """person IRI → keys (ORCIDs, grants, organisations)."""
    result: dict[str, set[str]] = defaultdict(set)
    rows = store.query(query)
    assert isinstance(rows, ox.QuerySolutions)
    for row in rows:
        result[row["person"].value].add(row["key"].value)
    return result


def _name_key(name: str) -> tuple[str, str]:
    words = name.split()
    return (words[0][:1], words[-1]) if words else ("", "")


def _any_names(a: str, b: str) -> bool:
    return True


def _compatible_names(a: str, b: str) -> bool:
    return _name_key(a) == _name_key(b)


def _equal_names(a: str, b: str) -> bool:
    return a == b


def find_links(store: SparqlStore) -> list[tuple[str, str, str]]:
    """(person, person, rule) for every pair of people judged one entity, each pair once, strongest rule."""
    names: dict[str, str] = {}
    rows = store.query(q.LINK_PEOPLE_QUERY)
    assert isinstance(rows, ox.QuerySolutions)
    for row in rows:
        names[row["person"].value] = row["name"].value
    rules: list[tuple[str, dict[str, set[str]], Callable[[str, str], bool]]] = [
        ("same-orcid", _pairs(store, q.LINK_ORCID_QUERY), _any_names),
        ("same-grant-and-name", _pairs(store, q.LINK_GRANT_QUERY), _compatible_names),
        ("same-name-and-organisation", _pairs(store, q.LINK_AFFILIATION_QUERY), _equal_names),
    ]
    seen: set[tuple[str, str]] = set()
    links = []
    for rule, keys, names_agree in rules:
        by_key: dict[str, list[str]] = defaultdict(list)
        for person, person_keys in keys.items():
            for key in person_keys:
                by_key[key].append(person)
        for people in by_key.values():
            for i, a in enumerate(sorted(people)):
                for b in sorted(people)[i + 1 :]:
                    if (a, b) not in seen and _source_of(a) != _source_of(b) and names_agree(names[a], names[b]):
                        seen.add((a, b))
                        links.append((a, b, rule))
    return links


def _source_of(iri: str) -> str:
    """The source segment of a minted record IRI (``…/expert/{source}/{id}``)."""
    return iri.removeprefix(BASE).split("/")[1]


def link_triples(links: Iterable[tuple[str, str, str]]) -> list[Triple]:
    triples: list[Triple] = []
    for a, b, rule in links:
        node = ox.NamedNode(f"{BASE}link/{hashlib.sha1(f'{a} {b}'.encode()).hexdigest()[:16]}")
        triples += [
            (ox.NamedNode(a), OWL_.sameAs, ox.NamedNode(b)),
            (node, RDF_.type, SKG.EntityLink),
            (node, SKG.linkRule, ox.Literal(rule)),
            (node, SKG.linkedNode, ox.NamedNode(a)),
            (node, SKG.linkedNode, ox.NamedNode(b)),
        ]
    return triples


def relink(store: Store, run_id: str) -> RunReport:
    """Recompute the ``links`` source from everything in the store and publish it if it changed (a store that
    answers no SPARQL is read through an in-memory copy, ``sparql_view``)."""
    reader = sparql_view(store)
    links = find_links(reader)
    shared = reader.query(q.SHARED_ORGS_QUERY)
    assert isinstance(shared, ox.QuerySolutions)
    counts = LinkCounts(dict(Counter(rule for _, _, rule in links)), int(next(shared)["n"].value))
    report = RunReport(source=LINKS_SOURCE, run_id=run_id, links=counts, read=len(links), loaded=len(links))
    checksum = hashlib.sha256("\n".join(sorted(f"{a} {b} {r}" for a, b, r in links)).encode()).hexdigest()
    current = store.sources().get(LINKS_SOURCE)
    if current is not None and current.checksum == checksum:
        report.status = "unchanged"
        return report
    report.triples = store.replace_source(LINKS_SOURCE, run_id, link_triples(links), checksum)
    report.status = "loaded"
    return report
