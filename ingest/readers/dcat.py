"""DCAT 3 catalogues in Turtle (``.ttl``) or JSON-LD (``.jsonld``, or ``.json`` with an ``@context``).

Every ``dcat:Dataset`` (or ``dcat:DatasetSeries``) becomes a ``Dataset``: ``local_id`` is
``dcterms:identifier``, else the dataset IRI; ``title``/``description`` are ``dcterms:title`` /
``dcterms:description`` (English first, then untagged, then any language); ``alt_names`` are
``dcterms:alternative``; ``keywords`` are ``dcat:keyword`` (and themes given as text); ``subjects`` are the
IRIs of ``dcat:theme`` and ``dcterms:subject``; ``landing_page``, ``license`` and ``issued`` come from
``dcat:landingPage``, ``dcterms:license`` and ``dcterms:issued``; ``publisher`` names the
``dcterms:publisher`` by its ``foaf:name``, ``rdfs:label`` or ``skos:prefLabel``; ``contact`` is the
``dcat:contactPoint`` (``vcard:hasEmail`` without ``mailto:``, ``vcard:hasTelephone``, ``vcard:hasURL``).
Lists are sorted, so both serialisations of one catalogue give equal records.

RDF has no lines: a dataset's line is the first line that starts with its IRI (``<iri>`` or a prefixed
name) as a Turtle subject, or that carries it as ``"@id"`` of a JSON-LD node object (not a bare
``{"@id": …}`` reference); 1 when none does (blank nodes).
Field names in problems are property paths such as ``dcat:contactPoint/vcard:hasEmail``. A file the
parser rejects is one problem at the line the parser names. Remote JSON-LD contexts are not fetched.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS
from rdflib.term import IdentifiedNode, Node

from graph.errors import InputError
from ingest.readers.base import TOO_DEEP, Fields, ReadItem, guarded, read_text
from ingest.records import Contact, Dataset, OrgRef, Origin, Record
from ingest.report import Reject

DCAT = Namespace("http://www.w3.org/ns/dcat#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DATASET_TYPES = (DCAT.Dataset, DCAT.DatasetSeries)
FORMATS = {".ttl": "turtle", ".jsonld": "json-ld", ".json": "json-ld"}
#: Base for relative IRIs, so that they do not resolve against the working directory.
RELATIVE_BASE = "https://relative.invalid/"

_TURTLE_SUBJECT = re.compile(r"<([^>\s]*)>|([\w.-]*:[^\s;,()\[\]<>\"']*)")
_JSON_ID = re.compile(r"(\{\s*)?\"@id\"\s*:\s*\"([^\"]+)\"(\s*\})?")
_LINE_IN_MESSAGE = re.compile(r"\bline (\d+)")
_BAD_SYNTAX = re.compile(r"Bad syntax \((.*)\) at \^", re.S)
_SURROGATE = re.compile("[\udc80-\udcff]")
_VCARD_VALUES = (("hasEmail", "mailto:"), ("hasTelephone", "tel:"), ("hasURL", ""))
_PUBLISHER_NAMES = ((FOAF.name, "foaf:name"), (RDFS.label, "rdfs:label"), (SKOS.prefLabel, "skos:prefLabel"))


class DcatReader:
    name = "dcat"
    description = "DCAT 3 catalogue metadata (Turtle or JSON-LD)"

    def sniff(self, path: Path, head: str) -> bool:
        return path.suffix.lower() in FORMATS and str(DCAT) in head

    def read(self, path: Path, source: str) -> Iterator[ReadItem]:
        text = read_text(path)
        fmt = FORMATS.get(path.suffix.lower()) or _guess_format(text)
        parsed = _check(text, fmt, path, source) or _parse(text, fmt, source)
        if isinstance(parsed, Reject):
            yield parsed
            return
        lines = _Lines.of(text, fmt, parsed)
        nodes = sorted(_dataset_nodes(parsed), key=lambda n: (lines.line(n), _record_id(parsed, n) or "", n))
        if not nodes:
            yield Reject(source, None, None, None, "no dcat:Dataset in the file; nothing loaded", "warning")
        for node in nodes:
            record_id = _record_id(parsed, node)
            view = _View(parsed, node, Fields({}, source=source, line=lines.line(node), record_id=record_id))
            yield from guarded(source, view.fields.line, view.fields.record_id, partial(_records, view))
            yield from view.warnings


def _guess_format(text: str) -> str:
    return "json-ld" if text.lstrip().startswith(("{", "[")) else "turtle"


def _check(text: str, fmt: str, path: Path, source: str) -> Reject | None:
    """A problem that makes the whole file unusable before it reaches the RDF parser."""
    bad = _SURROGATE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        return Reject(source, line, None, None, "the file is not valid UTF-8; re-save it as UTF-8")
    if fmt != "json-ld":
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        return Reject(source, e.lineno, None, None, f"invalid JSON at column {e.colno}: {e.msg}")
    except RecursionError:
        return Reject(source, 1, None, None, TOO_DEEP)
    if path.suffix.lower() == ".json" and "@context" not in text:
        raise InputError(f"{source}: a .json file without @context is not JSON-LD; not a DCAT catalogue")
    return _remote_context(data, text, source)


def _remote_context(data: object, text: str, source: str) -> Reject | None:
    url = _context_url(data)
    if url is None:
        return None
    line = text.count("\n", 0, text.find(url)) + 1
    reason = f"remote @context {url!r} is not fetched; put the context in the file"
    return Reject(source, line, None, "@context", reason)


def _context_url(value: object) -> str | None:
    """The first ``@context`` given by URL, anywhere in a JSON-LD document."""
    if isinstance(value, list):
        return next((url for item in value if (url := _context_url(item))), None)
    if not isinstance(value, dict):
        return None
    context = value.get("@context")
    for item in context if isinstance(context, list) else [context]:
        if isinstance(item, str):
            return item
    return next((url for item in value.values() if (url := _context_url(item))), None)


def _parse(text: str, fmt: str, source: str) -> Graph | Reject:
    graph = Graph()
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
            graph.parse(data=text, format=fmt, publicID=RELATIVE_BASE)
    except Exception as e:  # rdflib's parsers raise many exception types for malformed input
        message = str(e)
        line = _LINE_IN_MESSAGE.search(message)
        why = _BAD_SYNTAX.search(message)
        reason = why.group(1) if why else message.strip().splitlines()[0]
        line_number = int(line.group(1)) if line else None
        return Reject(source, line_number, None, None, f"cannot parse {fmt}: {reason}")
    return graph


def _dataset_nodes(graph: Graph) -> set[IdentifiedNode]:
    return {n for t in DATASET_TYPES for n in graph.subjects(RDF.type, t) if isinstance(n, IdentifiedNode)}


def _record_id(graph: Graph, node: IdentifiedNode) -> str | None:
    literals = [i for i in graph.objects(node, DCTERMS.identifier) if isinstance(i, Literal)]
    identifiers = sorted(text for text in (str(i).strip() for i in literals) if text)
    if identifiers:
        return identifiers[0]
    return _relative(str(node)) if isinstance(node, URIRef) else None


def _relative(iri: str) -> str:
    return iri.removeprefix(RELATIVE_BASE)


@dataclass(frozen=True, slots=True)
class _Lines:
    """First line of each subject IRI (Turtle) or ``@id`` (JSON-LD) as written, and the file's prefixes."""

    first: dict[str, int]
    prefixes: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, text: str, fmt: str, graph: Graph) -> _Lines:
        first = _json_ids(text) if fmt == "json-ld" else _turtle_subjects(text)
        prefixes = tuple((p, str(ns)) for p, ns in graph.namespaces())
        return cls(first, prefixes)

    def line(self, node: IdentifiedNode) -> int:
        iri = str(node)
        prefixed = [f"{p}:{iri[len(ns) :]}" for p, ns in self.prefixes if iri.startswith(ns)]
        forms = [iri, _relative(iri), *prefixed]
        return min((self.first[f] for f in forms if f in self.first), default=1)


def _turtle_subjects(text: str) -> dict[str, int]:
    first: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        match = _TURTLE_SUBJECT.match(line)
        if match:
            first.setdefault(match.group(1) or match.group(2), number)
    return first


def _json_ids(text: str) -> dict[str, int]:
    first: dict[str, int] = {}
    line, position = 1, 0
    for match in _JSON_ID.finditer(text):
        line += text.count("\n", position, match.start(2))
        position = match.start(2)
        if not (match.group(1) and match.group(3)):
            first.setdefault(match.group(2), line)
    return first


@dataclass
class _View:
    """One dataset's statements, read as typed values whose errors name the property path."""

    graph: Graph
    node: IdentifiedNode
    fields: Fields
    warnings: list[Reject] = field(default_factory=list)

    def values(self, predicate: URIRef, node: Node | None = None) -> list[Node]:
        return sorted(self.graph.objects(node or self.node, predicate), key=str)

    def typed(self, name: str, value: str | None) -> Fields:
        f = self.fields
        return Fields({name: value}, source=f.source, line=f.line, record_id=f.record_id)

    def texts(self, predicate: URIRef, name: str, node: Node | None = None) -> tuple[str, ...]:
        values = self.values(predicate, node)
        if any(not isinstance(v, Literal) for v in values):
            raise self.fields.error(name, "expected text, found an IRI or blank node")
        texts = (self.typed(name, str(v)).text(name) for v in _preferred(values))
        return tuple(dict.fromkeys(t for t in texts if t))

    def text(self, predicate: URIRef, name: str, node: Node | None = None) -> str | None:
        texts = self.texts(predicate, name, node)
        return texts[0] if texts else None

    def required(self, predicate: URIRef, name: str) -> str:
        return self.typed(name, self.text(predicate, name)).required(name)

    def link(self, predicate: URIRef, name: str) -> str | None:
        values = self.values(predicate)
        if any(isinstance(v, BNode) for v in values):
            raise self.fields.error(name, "expected an IRI, found a blank node")
        if values and str(values[0]).startswith(RELATIVE_BASE):
            relative = _relative(str(values[0]))
            raise self.fields.error(name, f"relative IRI <{relative}>; give the file a @base")
        return self.typed(name, str(values[0]) if values else None).url(name)

    def iso_date(self, predicate: URIRef, name: str) -> date | None:
        return self.typed(name, self.text(predicate, name)).iso_date(name)

    def warn(self, name: str, reason: str) -> None:
        f = self.fields
        self.warnings.append(Reject(f.source, f.line, f.record_id, name, reason, severity="warning"))


def _preferred(values: Iterable[Node]) -> list[Literal]:
    """English literals, else untagged ones, else all, in a stable order."""
    literals = sorted((v for v in values if isinstance(v, Literal)), key=lambda v: (str(v), v.language or ""))
    english = [v for v in literals if (v.language or "").lower().split("-")[0] == "en"]
    untagged = [v for v in literals if not v.language]
    return english or untagged or literals


def _records(v: _View) -> Sequence[Record]:
    local_id = _local_id(v)
    title = v.required(DCTERMS.title, "dcterms:title")
    return [
        Dataset(
            origin=Origin(v.fields.source, v.fields.line, local_id),
            local_id=local_id,
            title=title,
            description=v.text(DCTERMS.description, "dcterms:description"),
            alt_names=tuple(sorted(set(v.texts(DCTERMS.alternative, "dcterms:alternative")) - {title})),
            keywords=_keywords(v),
            subjects=_subjects(v),
            landing_page=v.link(DCAT.landingPage, "dcat:landingPage"),
            publisher=_publisher(v),
            license=v.link(DCTERMS.license, "dcterms:license"),
            issued=v.iso_date(DCTERMS.issued, "dcterms:issued"),
            contact=_contact(v),
        )
    ]


def _local_id(v: _View) -> str:
    identifier = v.text(DCTERMS.identifier, "dcterms:identifier")
    if identifier:
        return identifier
    if isinstance(v.node, URIRef):
        return _relative(str(v.node))
    raise v.fields.error("dcterms:identifier", "a dataset without an IRI needs a dcterms:identifier")


def _keywords(v: _View) -> tuple[str, ...]:
    words = list(v.texts(DCAT.keyword, "dcat:keyword"))
    for theme in v.values(DCAT.theme):
        if isinstance(theme, Literal):
            words.append(str(theme).strip())
        elif isinstance(theme, BNode):
            words.extend(v.texts(SKOS.prefLabel, "dcat:theme/skos:prefLabel", theme))
    return tuple(sorted({w for w in words if w}, key=lambda w: (w.casefold(), w)))


def _subjects(v: _View) -> tuple[str, ...]:
    themes = v.values(DCAT.theme) + v.values(DCTERMS.subject)
    return tuple(sorted({str(t) for t in themes if isinstance(t, URIRef)}))


def _publisher(v: _View) -> OrgRef | None:
    names: list[str] = []
    for node in v.values(DCTERMS.publisher):
        name = str(node).strip() if isinstance(node, Literal) else _publisher_name(v, node)
        if name:
            names.append(name)
        else:
            what = f"publisher <{node}>" if isinstance(node, URIRef) else "the blank-node publisher"
            v.warn("dcterms:publisher", f"{what} has no foaf:name or rdfs:label; loaded without a publisher")
    return OrgRef(min(names)) if names else None


def _publisher_name(v: _View, node: Node) -> str | None:
    for predicate, label in _PUBLISHER_NAMES:
        name = v.text(predicate, f"dcterms:publisher/{label}", node)
        if name:
            return name
    return None


def _contact(v: _View) -> Contact:
    contacts = [_contact_point(v, node) for node in v.values(DCAT.contactPoint)]
    found = [c for c in contacts if c != Contact()]
    return min(found, key=lambda c: (c.email or "", c.url or "", c.phone or ""), default=Contact())


def _contact_point(v: _View, node: Node) -> Contact:
    if isinstance(node, Literal):
        raise v.fields.error("dcat:contactPoint", "expected a vcard:Kind (IRI or blank node), found text")
    path = "dcat:contactPoint/vcard:"
    raw = {f"{path}{name}": _vcard(v, node, VCARD[name], scheme) for name, scheme in _VCARD_VALUES}
    f = Fields(raw, source=v.fields.source, line=v.fields.line, record_id=v.fields.record_id)
    return Contact(email=f.email(f"{path}hasEmail"), phone=f.text(f"{path}hasTelephone"), url=f.url(f"{path}hasURL"))


def _vcard(v: _View, node: Node, predicate: URIRef, scheme: str) -> str | None:
    """A vCard value as an IRI (``mailto:``, ``tel:``), as text, or as a node with ``vcard:hasValue``."""
    for value in v.values(predicate, node):
        if isinstance(value, BNode):
            value = next(iter(v.values(VCARD.hasValue, value)), value)
        text = str(value).strip()
        if text and not isinstance(value, BNode):
            return text[len(scheme) :] if scheme and text.lower().startswith(scheme) else text
    return None
