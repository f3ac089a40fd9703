"""SHACL validation: the shapes in ``ontology/shapes.ttl`` compiled into a fast per-record check.

The shapes stay the one definition of validity. ``compile_shapes`` reads them and turns every
property shape into a ``Rule``; a constraint it does not implement is an error at compile time, so
no part of a shape is ever silently skipped. ``validate_with_pyshacl`` runs the same shapes through
pyshacl, the reference implementation; a test shows both agree on real and broken records.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache

import pyoxigraph as ox

from graph.errors import ConfigurationError
from graph.store import Triple
from ontology.terms import RDF_, ontology_text

SH = "http://www.w3.org/ns/shacl#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_SUPPORTED = {
    "path",
    "name",
    "message",
    "minCount",
    "maxCount",
    "datatype",
    "nodeKind",
    "class",
    "pattern",
    "flags",
    "minLength",
    "maxLength",
    "minInclusive",
    "maxInclusive",
    "description",
    "order",
}
#: What a node shape may say besides its property shapes: no node-level constraints, targets by class only.
_NODE_SHAPE_KEYS = {"targetClass", "property", "name", "description", "message"}
_NODE_KINDS = {"IRI", "Literal"}
_ANNOTATIONS = {"http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2000/01/rdf-schema#comment"}
_NUMERIC = {_XSD + n for n in ("integer", "decimal", "double", "float", "int", "long", "gYear")}


@dataclass(frozen=True, slots=True)
class Violation:
    focus: str
    path: str
    field: str | None
    message: str


@dataclass(slots=True)
class Rule:
    """One property shape: the constraints on the values of ``path`` at a focus node."""

    path: ox.NamedNode
    name: str | None = None
    message: str | None = None
    min_count: int = 0
    max_count: int | None = None
    datatype: str | None = None
    node_kind: str | None = None
    cls: ox.NamedNode | None = None
    pattern: re.Pattern[str] | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_inclusive: Decimal | None = None
    max_inclusive: Decimal | None = None

    def check(self, values: Sequence[ox.NamedNode | ox.Literal], types: NodeTypes) -> list[str]:
        problems = []
        if len(values) < self.min_count:
            problems.append(f"needs at least {self.min_count} value(s), found {len(values)}")
        if self.max_count is not None and len(values) > self.max_count:
            problems.append(f"allows at most {self.max_count} value(s), found {len(values)}")
        problems.extend(p for v in values for p in self._check_value(v, types))
        return problems

    def _check_value(self, value: ox.NamedNode | ox.Literal, types: NodeTypes) -> list[str]:
        problems = []
        is_iri = isinstance(value, ox.NamedNode)
        if self.node_kind == "IRI" and not is_iri:
            problems.append(f"expects an IRI, found the literal {value.value!r}")
        if self.node_kind == "Literal" and is_iri:
            problems.append(f"expects a literal, found the IRI {value.value}")
        if self.datatype and (is_iri or value.datatype.value != self.datatype):  # type: ignore[union-attr]
            problems.append(f"expects a value of type {self.datatype.removeprefix(_XSD)}, found {value}")
        elif self.datatype and not _lexically_valid(value.value, self.datatype):
            problems.append(f"{value.value!r} is not a valid {self.datatype.removeprefix(_XSD)}")
        if self.cls is not None and not (is_iri and self.cls in types.get(value.value, ())):
            problems.append(f"expects an instance of {self.cls.value} described in the same source, found {value}")
        text = value.value
        if self.pattern is not None and not self.pattern.search(text):
            problems.append(f"value {text!r} does not match the pattern {self.pattern.pattern!r}")
        if self.min_length is not None and len(text) < self.min_length:
            problems.append(f"value {text!r} is shorter than {self.min_length} character(s)")
        if self.max_length is not None and len(text) > self.max_length:
            problems.append(f"value is longer than {self.max_length} characters")
        problems.extend(self._check_range(value))
        return problems

    def _check_range(self, value: ox.NamedNode | ox.Literal) -> list[str]:
        if self.min_inclusive is None and self.max_inclusive is None:
            return []
        if not isinstance(value, ox.Literal) or value.datatype.value not in _NUMERIC:
            return [f"expects a number, found {value}"]
        try:
            number = Decimal(value.value)
        except InvalidOperation:
            return [f"expects a number, found {value.value!r}"]
        if self.min_inclusive is not None and number < self.min_inclusive:
            return [f"value {number} is below the minimum {self.min_inclusive}"]
        if self.max_inclusive is not None and number > self.max_inclusive:
            return [f"value {number} is above the maximum {self.max_inclusive}"]
        return []


#: Each node's ``rdf:type`` classes, by IRI.
NodeTypes = dict[str, set[ox.NamedNode]]

_LEXICAL = {
    _XSD + "integer": re.compile(r"^[+-]?[0-9]+$"),
    _XSD + "decimal": re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"),
    _XSD + "boolean": re.compile(r"^(true|false|1|0)$"),
    _XSD + "dateTime": re.compile(
        r"^-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?"
        r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?$"
    ),
}


def _lexically_valid(text: str, datatype: str) -> bool:
    """Whether ``text`` is a value of ``datatype`` (checked for the datatypes the shapes use)."""
    if datatype == _XSD + "date":
        try:
            date.fromisoformat(text)
        except ValueError:
            return False
        return True
    pattern = _LEXICAL.get(datatype)
    return pattern is None or bool(pattern.match(text))


@dataclass(frozen=True, slots=True)
class CompiledShapes:
    """Rules per target class IRI."""

    by_class: dict[str, tuple[Rule, ...]] = field(default_factory=dict)

    def validate(self, triples: Iterable[Triple], known_types: NodeTypes | None = None) -> list[Violation]:
        """Violations at every focus node among ``triples`` (the triples of one record, or a whole graph)."""
        values: dict[str, dict[str, list[ox.NamedNode | ox.Literal]]] = defaultdict(lambda: defaultdict(list))
        types: NodeTypes = defaultdict(set)
        for s, p, o in dict.fromkeys(triples):  # a graph holds a repeated triple once
            values[s.value][p.value].append(o)
            if p == RDF_.type and isinstance(o, ox.NamedNode):
                types[s.value].add(o)
        lookup = _Overlay(types, known_types or {})
        violations = []
        for focus, classes in types.items():
            for cls in classes:
                for rule in self.by_class.get(cls.value, ()):
                    found = values[focus].get(rule.path.value, [])
                    for problem in rule.check(found, lookup):
                        message = f"{problem} ({rule.message})" if rule.message else problem
                        violations.append(Violation(focus, rule.path.value, rule.name, message))
        return violations


class _Overlay(dict[str, set[ox.NamedNode]]):
    """Types stated in the record first, then those known from the rest of the source."""

    def __init__(self, local: NodeTypes, known: NodeTypes) -> None:
        super().__init__()
        self.local = local
        self.known = known

    def get(self, key: str, default: object = None) -> set[ox.NamedNode]:
        return self.local.get(key, set()) | self.known.get(key, set())


@cache
def compile_shapes(text: str | None = None) -> CompiledShapes:
    """Compile SHACL shapes (the package's ``shapes.ttl`` by default) into rules."""
    store = ox.Store()
    store.load(text if text is not None else ontology_text("shapes.ttl"), format=ox.RdfFormat.TURTLE)
    _refuse_unsupported_node_shapes(store)
    by_class: dict[str, list[Rule]] = defaultdict(list)
    for q in store.quads_for_pattern(None, ox.NamedNode(SH + "targetClass"), None):
        for prop in store.quads_for_pattern(q.subject, ox.NamedNode(SH + "property"), None):
            by_class[q.object.value].append(_rule(store, prop.object))  # type: ignore[union-attr]
    return CompiledShapes({cls: tuple(rules) for cls, rules in by_class.items()})


def _unsupported(what: str) -> ConfigurationError:
    return ConfigurationError(
        f"shapes.ttl uses SHACL the fast validator does not implement: {what}; implement it in "
        "ingest/validate.py or express the shape with supported constraints"
    )


def _refuse_unsupported_node_shapes(store: ox.Store) -> None:
    for q in store.quads_for_pattern(None, RDF_.type, ox.NamedNode(SH + "NodeShape")):
        for statement in store.quads_for_pattern(q.subject, None, None):
            key = statement.predicate.value
            if key != RDF_.type.value and key not in _ANNOTATIONS and key.removeprefix(SH) not in _NODE_SHAPE_KEYS:
                raise _unsupported(f"the node-level parameter sh:{key.removeprefix(SH)}")
    for key in ("targetNode", "targetSubjectsOf", "targetObjectsOf"):
        if next(iter(store.quads_for_pattern(None, ox.NamedNode(SH + key), None)), None) is not None:
            raise _unsupported(f"the target sh:{key} (only sh:targetClass is read)")


def _rule(store: ox.Store, node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Rule:
    if not isinstance(node, ox.NamedNode | ox.BlankNode):
        raise _unsupported("a property shape that is not an IRI or a blank node")
    props: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal] = {}
    for q in store.quads_for_pattern(node, None, None):
        key = q.predicate.value
        if key == RDF_.type.value or key in _ANNOTATIONS:
            continue
        if isinstance(q.object, ox.Triple) or key.removeprefix(SH) in props:
            raise _unsupported(f"two values of sh:{key.removeprefix(SH)} in one property shape")
        props[key.removeprefix(SH)] = q.object
    unknown = set(props) - _SUPPORTED
    if unknown:
        raise _unsupported(str(sorted(unknown)))
    path = props.get("path")
    if not isinstance(path, ox.NamedNode):
        raise _unsupported("a property path that is not a single IRI")
    if "nodeKind" in props and props["nodeKind"].value.removeprefix(SH) not in _NODE_KINDS:
        raise _unsupported(f"sh:nodeKind {props['nodeKind'].value.removeprefix(SH)} (only IRI and Literal)")
    flags = props["flags"].value if "flags" in props else ""
    value = {k: v.value for k, v in props.items()}
    return Rule(
        path=path,
        name=value.get("name"),
        message=value.get("message"),
        min_count=int(value.get("minCount", 0)),
        max_count=int(value["maxCount"]) if "maxCount" in value else None,
        datatype=value.get("datatype"),
        node_kind=value["nodeKind"].removeprefix(SH) if "nodeKind" in value else None,
        cls=props["class"] if isinstance(props.get("class"), ox.NamedNode) else None,  # type: ignore[arg-type]
        pattern=re.compile(value["pattern"], re.IGNORECASE if "i" in flags else 0) if "pattern" in value else None,
        min_length=int(value["minLength"]) if "minLength" in value else None,
        max_length=int(value["maxLength"]) if "maxLength" in value else None,
        min_inclusive=Decimal(value["minInclusive"]) if "minInclusive" in value else None,
        max_inclusive=Decimal(value["maxInclusive"]) if "maxInclusive" in value else None,
    )


def validate_with_pyshacl(nquads_or_turtle: str, fmt: str = "nt") -> list[tuple[str, str]]:
    """(focus node, path) of every violation pyshacl finds: the reference the fast path is tested against."""
    import pyshacl
    import rdflib

    data = rdflib.Graph().parse(data=nquads_or_turtle, format=fmt)
    shapes = rdflib.Graph().parse(data=ontology_text("shapes.ttl"), format="turtle")
    _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=False)
    result = rdflib.Namespace(SH)
    return sorted(
        (str(report.value(r, result.focusNode)), str(report.value(r, result.resultPath)))
        for r in report.subjects(rdflib.RDF.type, result.ValidationResult)
    )


__all__ = ["CompiledShapes", "Rule", "Violation", "compile_shapes", "validate_with_pyshacl"]
