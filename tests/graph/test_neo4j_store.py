"""The Neo4j mapping and server checks, without a server: names, literal keys, versions, bad settings."""

from __future__ import annotations

import socket

import pyoxigraph as ox
import pytest

from graph.errors import ConfigurationError, StoreError
from graph.store import open_neo4j_store
from graph.store.neo4j_store import (
    MIN_NEO4J,
    Neo4jStore,
    expand,
    identify_server,
    literal_from,
    literal_key,
    parse_version,
    shorten,
    statements,
)

XSD = "http://www.w3.org/2001/XMLSchema#"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@pytest.mark.parametrize(
    ("iri", "name"),
    [
        ("https://w3id.org/sharekg/ns#Instrument", "skg__Instrument"),
        ("http://purl.org/dc/terms/subject", "dct__subject"),
        ("https://schema.org/name", "sch__name"),
        ("https://example.org/vocab/note", "https://example.org/vocab/note"),  # outside the prefix map: kept whole
        ("https://w3id.org/sharekg/ns#", "https://w3id.org/sharekg/ns#"),  # no local name
        ("http://purl.obolibrary.org/obo/CHMO_0000156", "obo__CHMO_0000156"),
        ("http://purl.org/dc/terms/a/b", "http://purl.org/dc/terms/a/b"),  # a path is not a local name
    ],
)
def test_names_shorten_n10s_style_and_expand_back(iri: str, name: str) -> None:
    assert shorten(iri) == name
    assert expand(name) == iri


@pytest.mark.parametrize(
    "literal",
    [
        ox.Literal("plain"),
        ox.Literal("Mikroskop", language="de"),
        ox.Literal("显微镜", language="zh-Hans"),
        ox.Literal("2024-05-01", datatype=ox.NamedNode(f"{XSD}date")),
        ox.Literal("12 kV", datatype=ox.NamedNode("https://example.org/unit")),
        ox.Literal("looks@en"),
        ox.Literal("a^^b"),
        ox.Literal(""),
    ],
)
def test_literal_keys_read_back_the_same_literal(literal: ox.Literal) -> None:
    key = literal_key(LABEL, literal)
    assert literal_from(key, literal.value) == (ox.NamedNode(LABEL), literal)


def test_literal_keys_look_like_n10s_properties() -> None:
    assert literal_key(LABEL, ox.Literal("x")) == "rdfs__label"
    assert literal_key(LABEL, ox.Literal("x", language="en")) == "rdfs__label@en"
    assert literal_key(LABEL, ox.Literal("1", datatype=ox.NamedNode(f"{XSD}integer"))) == "rdfs__label^^xsd__integer"


def test_a_predicate_with_reserved_characters_is_refused() -> None:
    with pytest.raises(StoreError, match="reserves"):
        literal_key("https://example.org/a@b", ox.Literal("x"))


def test_a_property_sharekg_did_not_write_is_reported() -> None:
    with pytest.raises(StoreError, match="edited by hand"):
        expand("unknown__thing")


def test_statements_skip_bookkeeping_labels_and_properties() -> None:
    props = {"uri": "u", "graph": "g", "sharekg_text": "t", "rdfs__label@en": ["a", "b"]}
    found = set(
        statements(
            ["Resource", "sharekg_Searchable", "skg__Instrument"], props, [["skg__hostedBy", "https://example.org/o"]]
        )
    )
    assert found == {
        (
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode("https://w3id.org/sharekg/ns#Instrument"),
        ),
        (ox.NamedNode(LABEL), ox.Literal("a", language="en")),
        (ox.NamedNode(LABEL), ox.Literal("b", language="en")),
        (ox.NamedNode("https://w3id.org/sharekg/ns#hostedBy"), ox.NamedNode("https://example.org/o")),
    }


@pytest.mark.parametrize(
    ("text", "version"),
    [("5.26.0", (5, 26, 0)), ("2025.10.1", (2025, 10, 1)), ("2026.01.0-aura", (2026, 1, 0)), ("5.26", (5, 26))],
)
def test_versions_parse(text: str, version: tuple[int, ...]) -> None:
    assert parse_version(text) == version


def test_servers_are_identified_by_agent_and_version() -> None:
    assert identify_server("Neo4j/5.26.3", ["5.26.3"]).product == "neo4j"
    assert identify_server("Neo4j/2026.01.0", ["2026.01.0"]).version == (2026, 1, 0)
    arcade = identify_server("Neo4j/5.26.0 compatible (ArcadeDB 26.10.2)", ["5.26.0"])
    assert arcade.product == "arcadedb"
    assert "apoc.merge.relationship" in arcade.merge_relationships
    assert "$(row.type)" in identify_server("Neo4j/5.26.0", ["5.26.0"]).merge_relationships


def test_a_neo4j_older_than_5_26_is_refused_with_the_remedy() -> None:
    with pytest.raises(ConfigurationError, match=r"5\.26 or later") as caught:
        identify_server("Neo4j/5.13.0", ["5.13.0"])
    assert "SHAREKG_NEO4J_URI" in str(caught.value)
    assert MIN_NEO4J == (5, 26)


@pytest.mark.parametrize("uri", ["http://localhost:7474", "localhost:7687", "", "postgres://x"])
def test_a_uri_that_is_not_bolt_names_the_setting(uri: str) -> None:
    with pytest.raises(ConfigurationError, match="SHAREKG_NEO4J_URI"):
        open_neo4j_store(uri, "neo4j", "secret", "neo4j")


def test_an_unreachable_server_is_a_store_error_naming_the_setting() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound but not listening: the connection is refused at once
        with pytest.raises(StoreError, match="cannot reach") as caught:
            Neo4jStore.open(f"bolt://127.0.0.1:{port}", "neo4j", "secret", "neo4j")
    assert "SHAREKG_NEO4J_URI" in str(caught.value)
    assert "secret" not in str(caught.value)
