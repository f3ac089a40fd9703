"""The closed vocabulary: every term code writes comes from here, and a misspelt one is an error.

sharekg's own terms are read from ``sharekg.ttl`` (the subjects of ``rdf:type`` statements in the
``skg:`` namespace); standard vocabularies take their term lists from rdflib's closed namespaces.
Terms are pyoxigraph ``NamedNode`` objects, the term model the store and the mapping share.

>>> SKG.Instrument.value
'https://w3id.org/sharekg/ns#Instrument'
>>> SKG.Instrumnet
Traceback (most recent call last):
...
ontology.terms.UnknownTermError: 'Instrumnet' is not a term of https://w3id.org/sharekg/ns# (see ontology/sharekg.ttl)
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources

import pyoxigraph as ox
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace

SKG_NS = "https://w3id.org/sharekg/ns#"


class UnknownTermError(AttributeError):
    """Code asked a closed vocabulary for a term it does not define."""


class Vocabulary:
    """A namespace whose attributes are the terms it defines, as ``NamedNode`` objects."""

    def __init__(self, namespace: str, names: Iterable[str], defined_in: str) -> None:
        self._namespace = namespace
        self._defined_in = defined_in
        self._terms = {name: ox.NamedNode(namespace + name) for name in names}

    def __getattr__(self, name: str) -> ox.NamedNode:
        try:
            return self._terms[name]
        except KeyError:
            raise UnknownTermError(f"{name!r} is not a term of {self._namespace} (see {self._defined_in})") from None

    def __getitem__(self, name: str) -> ox.NamedNode:
        return self.__getattr__(name)

    def __contains__(self, name: object) -> bool:
        return name in self._terms

    @property
    def namespace(self) -> str:
        return self._namespace

    def names(self) -> list[str]:
        return sorted(self._terms)


def ontology_text(name: str) -> str:
    """The text of one of the package's Turtle files (``sharekg.ttl``, ``shapes.ttl``)."""
    return resources.files("ontology").joinpath(name).read_text(encoding="utf-8")


@cache
def _skg_names() -> tuple[str, ...]:
    graph = ox.Store()
    graph.load(ontology_text("sharekg.ttl"), format=ox.RdfFormat.TURTLE)
    declared = {
        q.subject.value[len(SKG_NS) :]
        for q in graph.quads_for_pattern(None, ox.NamedNode(RDF.type), None)
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(SKG_NS)
    }
    return tuple(sorted(declared))


def _standard(ns: type[DefinedNamespace], extra: Iterable[str] = ()) -> Vocabulary:
    names = [*ns.__annotations__, *extra]
    return Vocabulary(str(ns._NS), names, f"rdflib.namespace.{ns.__name__}")


SKG = Vocabulary(SKG_NS, _skg_names(), "ontology/sharekg.ttl")
RDF_ = _standard(RDF)
RDFS_ = _standard(RDFS)
OWL_ = _standard(OWL)
XSD_ = _standard(XSD)
DCT = _standard(DCTERMS)
DCAT_ = _standard(DCAT)
FOAF_ = _standard(FOAF)
ORG_ = _standard(ORG)
PROV_ = _standard(PROV)
SKOS_ = _standard(SKOS)

#: Prefixes for writing the graph compactly (Turtle, JSON-LD contexts); one per vocabulary the data uses.
PREFIXES = {
    "skg": SKG_NS,
    "rdf": str(RDF._NS),
    "rdfs": str(RDFS._NS),
    "owl": str(OWL._NS),
    "xsd": str(XSD._NS),
    "dcterms": str(DCTERMS._NS),
    "dcat": str(DCAT._NS),
    "foaf": str(FOAF._NS),
    "org": str(ORG._NS),
    "prov": str(PROV._NS),
    "skos": str(SKOS._NS),
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "schema": "https://schema.org/",
}

__all__ = [
    "DCAT_",
    "DCT",
    "FOAF_",
    "ORG_",
    "OWL_",
    "PREFIXES",
    "PROV_",
    "RDFS_",
    "RDF_",
    "SKG",
    "SKG_NS",
    "SKOS_",
    "XSD_",
    "UnknownTermError",
    "Vocabulary",
    "ontology_text",
]
