"""Small helpers the modules that read the graph with SPARQL share: run a SELECT, put an IRI into a query safely."""

from __future__ import annotations

import pyoxigraph as ox

from graph.errors import InputError
from graph.store.protocol import SparqlStore
from ontology.terms import PREFIXES as ONTOLOGY_PREFIXES

#: The prefixes every query of ``graph.store.sparql_queries`` starts with: the ontology's, declared once (SPARQL
#: ignores those a query does not use).
PREFIXES = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in ONTOLOGY_PREFIXES.items())
#: Characters that could end an IRI inside a query (SPARQL's IRIREF excludes them).
UNSAFE_IN_IRI = '<>"{}|^`\\ \n'


def select(store: SparqlStore, query: str) -> list[ox.QuerySolution]:
    """The rows of a SELECT query over the store's current graphs."""
    rows = store.query(query)
    assert isinstance(rows, ox.QuerySolutions), "a SELECT query answers with solutions"
    return list(rows)


def iri_ref(iri: str) -> str:
    """``<iri>`` to put into a query; text that could break out of the IRI is refused.

    >>> iri_ref("https://w3id.org/sharekg/id/instrument/s/1")
    '<https://w3id.org/sharekg/id/instrument/s/1>'
    """
    if not iri or any(ch in iri for ch in UNSAFE_IN_IRI):
        raise InputError(f"{iri!r} is not an IRI sharekg can look up; give the IRI as the API shows it")
    return f"<{iri}>"


__all__ = ["PREFIXES", "iri_ref", "select"]
