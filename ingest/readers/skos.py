"""SKOS concept schemes in any RDF syntax, chosen by the file suffix (Turtle, RDF/XML, JSON-LD, N-Triples, …).

Every ``skos:Concept`` with an IRI becomes a ``Subject``, its IRI kept exactly as the scheme gives it:
``label`` is ``skos:prefLabel`` (English first, then untagged, then any language), ``scheme`` the
``skos:inScheme`` (or ``skos:topConceptOf``) IRI, falling back to the file's only ``skos:ConceptScheme``;
``broader`` collects ``skos:broader`` and the inverse of ``skos:narrower``. ``skos:scopeNote`` is not a
definition and is left out. RDF has no lines, so a concept's line is the first line of the file that
starts with its IRI as a subject (Turtle, N-Triples), carries it in ``rdf:about`` (RDF/XML) or ``"@id"``
(JSON-LD); 1 when none does. A syntax error rejects the whole file as one problem: the parser stops there,
so what it read before would be an incomplete scheme. Parsing is pyoxigraph's: several times faster than
rdflib's, and its syntax errors carry the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pyoxigraph as ox

from graph.errors import InputError, RecordError
from ingest.readers.base import ReadItem, guarded, read_text
from ingest.records import Origin, Record, Subject
from ingest.report import Reject

SKOS = "http://www.w3.org/2004/02/skos/core#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_CONCEPT = SKOS + "Concept"
_SCHEME = SKOS + "ConceptScheme"
_SCHEME_LABELS = (
    SKOS + "prefLabel",
    "http://purl.org/dc/terms/title",
    "http://purl.org/dc/elements/1.1/title",
    "http://www.w3.org/2000/01/rdf-schema#label",
)

FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".n3": ox.RdfFormat.N3,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
}

_LINE_SUBJECT = re.compile(r"<([^>\s]*)>|([A-Za-z][\w.-]*)?:([^\s;,()\[\]]*)")
_XML_ABOUT = re.compile(r"\babout\s*=\s*[\"']([^\"']+)[\"']")
_JSON_ID = re.compile(r"\"@id\"\s*:\s*\"([^\"]+)\"\s*,")
_LINE_IN_MESSAGE = re.compile(r"\bline (\d+)")
_TYPED_CONCEPT = re.compile(
    r"(?:\ba|type)\W+\S*?Concept(?:Scheme)?\b|<[\w.-]*:?Concept(?:Scheme)?\b|\"@id\"\s*:\s*\"\S*core#Concept"
)

Node = ox.NamedNode | ox.BlankNode
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass
class _Graph:
    """The statements of one file, by subject then predicate IRI, in file order."""

    props: dict[Node, dict[str, list[Term]]] = field(default_factory=dict)
    prefixes: dict[str, str] = field(default_factory=dict)

    def values(self, node: Node, predicate: str) -> list[Term]:
        return self.props.get(node, {}).get(predicate, [])

    def typed(self, type_iri: str) -> list[Node]:
        return [s for s, p in self.props.items() if any(_iri(o) == type_iri for o in p.get(_RDF_TYPE, []))]

    def iris(self, node: Node, predicate: str) -> list[str]:
        return [o.value for o in self.values(node, predicate) if isinstance(o, ox.NamedNode)]

    def literals(self, node: Node, predicate: str) -> list[ox.Literal]:
        return [o for o in self.values(node, predicate) if isinstance(o, ox.Literal) and o.value.strip()]


class SkosReader:
    name = "skos"
    description = "SKOS concept scheme (Turtle, RDF/XML, JSON-LD, N-Triples)"

    def sniff(self, path: Path, head: str) -> bool:
        return path.suffix.lower() in FORMATS and SKOS in head and _TYPED_CONCEPT.search(head) is not None

    def read(self, path: Path, source: str) -> Iterator[ReadItem]:
        rdf_format = FORMATS.get(path.suffix.lower())
        if rdf_format is None:
            raise InputError(f"{source}: {path.suffix!r} is not an RDF file suffix; use one of {sorted(FORMATS)}")
        text = read_text(path)
        try:
            graph = _parse(text, rdf_format)
        except SyntaxError as e:
            yield Reject(source, _error_line(e), None, None, f"not valid {rdf_format.name}: {e.msg}")
            return
        concepts = graph.typed(_CONCEPT)
        if not concepts:
            raise InputError(f"{source}: no skos:Concept in the file; is it a SKOS concept scheme?")
        yield from _subjects(graph, concepts, _subject_lines(text, graph.prefixes), source)


def _parse(text: str, rdf_format: ox.RdfFormat) -> _Graph:
    graph = _Graph()
    parser = ox.parse(text.encode("utf-8", errors="surrogateescape"), format=rdf_format)
    for quad in parser:
        subject = quad.subject
        if isinstance(subject, ox.NamedNode | ox.BlankNode):
            graph.props.setdefault(subject, {}).setdefault(quad.predicate.value, []).append(quad.object)
    graph.prefixes = dict(parser.prefixes)
    _add_inverse_narrower(graph)
    return graph


def _add_inverse_narrower(graph: _Graph) -> None:
    for node, props in list(graph.props.items()):
        for narrower in props.get(SKOS + "narrower", []):
            if isinstance(narrower, ox.NamedNode | ox.BlankNode) and isinstance(node, ox.NamedNode):
                broader = graph.props.setdefault(narrower, {}).setdefault(SKOS + "broader", [])
                if node not in broader:
                    broader.append(node)


def _error_line(error: SyntaxError) -> int | None:
    if error.lineno:
        return error.lineno
    found = _LINE_IN_MESSAGE.search(error.msg or "")
    return int(found.group(1)) if found else None


def _subject_lines(text: str, prefixes: Mapping[str, str]) -> dict[str, int]:
    """IRI -> first line where it opens a statement (Turtle, N-Triples) or is described (RDF/XML, JSON-LD)."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        iri = _line_subject(line, prefixes)
        if iri is not None:
            lines.setdefault(iri, number)
    return lines


def _line_subject(line: str, prefixes: Mapping[str, str]) -> str | None:
    start = _LINE_SUBJECT.match(line)
    if start:
        if start.group(1) is not None:
            return start.group(1)
        namespace = prefixes.get(start.group(2) or "")
        return namespace + start.group(3) if namespace is not None else None
    described = _XML_ABOUT.search(line) or _JSON_ID.search(line)
    return described.group(1) if described else None


def _subjects(graph: _Graph, concepts: Sequence[Node], lines: Mapping[str, int], source: str) -> Iterator[ReadItem]:
    schemes = [s for s in graph.typed(_SCHEME) if isinstance(s, ox.NamedNode)]
    members = {c: s.value for s in schemes for c in graph.iris(s, SKOS + "hasTopConcept")}
    for node in concepts:
        if not isinstance(node, ox.NamedNode):
            reason = "a skos:Concept without an IRI (blank node) cannot be referenced; give it an IRI"
            yield Reject(source, 1, None, None, reason)
            continue
        origin = Origin(source, lines.get(node.value, 1), node.value)
        yield from guarded(
            source,
            origin.line,
            origin.record_id,
            partial(_concept, graph, node, origin, schemes, members),
        )


def _concept(
    graph: _Graph,
    node: ox.NamedNode,
    origin: Origin,
    schemes: Sequence[ox.NamedNode],
    members: Mapping[str, str],
) -> Sequence[Record]:
    return _subject(graph, node, _scheme(graph, node, schemes, members), origin)


def _scheme(graph: _Graph, node: ox.NamedNode, schemes: Sequence[ox.NamedNode], members: Mapping[str, str]) -> str:
    named = graph.iris(node, SKOS + "inScheme") + graph.iris(node, SKOS + "topConceptOf")
    declared = [iri for iri in named if ox.NamedNode(iri) in schemes]
    if declared or named:
        return (declared or named)[0]
    if node.value in members:
        return members[node.value]
    if len(schemes) == 1:
        return schemes[0].value
    found = f"declares {len(schemes)} concept schemes" if schemes else "declares no skos:ConceptScheme"
    raise RecordError(f"concept has no skos:inScheme and the file {found}; add skos:inScheme", field="skos:inScheme")


def _subject(graph: _Graph, node: ox.NamedNode, scheme: str, origin: Origin) -> Sequence[Record]:
    labels = graph.literals(node, SKOS + "prefLabel")
    if not labels:
        raise RecordError("concept has no skos:prefLabel; add one", field="skos:prefLabel")
    label = _best(labels)
    scheme_node = ox.NamedNode(scheme)
    scheme_labels = [lit for p in _SCHEME_LABELS for lit in graph.literals(scheme_node, p)]
    notations = graph.literals(node, SKOS + "notation")
    definitions = graph.literals(node, SKOS + "definition")
    return [
        Subject(
            origin=origin,
            iri=node.value,
            label=label,
            scheme=scheme,
            scheme_label=_best(scheme_labels) if scheme_labels else None,
            notation=notations[0].value.strip() if notations else None,
            alt_labels=tuple(a for a in _texts(graph.literals(node, SKOS + "altLabel")) if a != label),
            definition=_best(definitions) if definitions else None,
            broader=tuple(dict.fromkeys(i for i in graph.iris(node, SKOS + "broader") if i != node.value)),
        )
    ]


def _language_rank(literal: ox.Literal) -> int:
    language = (literal.language or "").lower()
    if language == "en":
        return 0
    if language.startswith("en-"):
        return 1
    return 2 if not language else 3


def _best(literals: Sequence[ox.Literal]) -> str:
    return min(literals, key=_language_rank).value.strip()


def _texts(literals: Sequence[ox.Literal]) -> tuple[str, ...]:
    """English and untagged texts; all of them when there are only other languages."""
    preferred = [lit for lit in literals if _language_rank(lit) < 3] or list(literals)
    return tuple(dict.fromkeys(lit.value.strip() for lit in preferred))


def _iri(term: Term) -> str | None:
    return term.value if isinstance(term, ox.NamedNode) else None
