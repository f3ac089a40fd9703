"""Linking the same person and organisation across sources."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.store import Store, open_store
from ingest.linking import LINKS_SOURCE, distinct_entities, find_links, relink
from ingest.mapping import map_record
from ingest.pipeline import ingest_source, plan
from ingest.records import Expert, GrantRef, OrgRef, Origin, Role
from tests.conftest import SAMPLE


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path / "store")
    yield s
    s.close()


def put(store: Store, source: str, *experts: Expert) -> None:
    triples = [t for e in experts for t in map_record(e).all_triples()]
    store.replace_source(source, "r1", triples, source)


def expert(source: str, local_id: str, name: str, **kwargs: object) -> Expert:
    return Expert(origin=Origin(source, 1, local_id), local_id=local_id, name=name, **kwargs)  # type: ignore[arg-type]


def test_rules_link_across_sources_never_within_one(store: Store) -> None:
    award = GrantRef("nsf", "0454999")
    boulder = OrgRef("University of Colorado at Boulder")
    put(
        store,
        "a",
        expert("a", "thayer", "Jeffrey Thayer", roles=(Role(award, "PI"),)),
        expert("a", "khan", "Sarmad Zafar Khan", orcid="https://orcid.org/0000-0001-7056-6323"),
        expert("a", "valentic", "Todd Valentic", affiliations=(boulder,)),
        expert("a", "valentic-2", "Todd Valentic", affiliations=(boulder,)),
    )
    put(
        store,
        "b",
        expert("b", "p1", "Jeffrey P. Thayer", roles=(Role(award, "co-PI"),)),
        expert("b", "p2", "S. Z. Khan", orcid="https://orcid.org/0000-0001-7056-6323"),
        expert("b", "p3", "Todd Valentic", affiliations=(OrgRef("The University of Colorado Boulder"),)),
        expert("b", "p4", "John Livingston", roles=(Role(award, "co-PI"),)),
    )
    links = {(a.rsplit("/", 1)[1], b.rsplit("/", 1)[1], rule) for a, b, rule in find_links(store)}
    assert links == {
        ("thayer", "p1", "same-grant-and-name"),
        ("khan", "p2", "same-orcid"),
        ("valentic", "p3", "same-name-and-organisation"),
        ("valentic-2", "p3", "same-name-and-organisation"),
    }


def test_relink_publishes_links_and_is_idempotent(store: Store) -> None:
    put(store, "a", expert("a", "x", "Ada Lovelace", affiliations=(OrgRef("University of London"),)))
    put(store, "b", expert("b", "y", "Ada Lovelace", affiliations=(OrgRef("University of London"),)))
    first = relink(store, "run1")
    assert first.status == "loaded" and first.links is not None
    assert first.links.by_rule == {"same-name-and-organisation": 1}
    assert first.links.organizations_shared == 1
    assert relink(store, "run2").status == "unchanged"
    assert store.sources()[LINKS_SOURCE].graph.endswith("run1")
    assert distinct_entities(store)["Expert"] == 1


def test_sample_mri_investigators_meet_their_profiles(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store")
    for p in plan([SAMPLE / "nsf-mri-instruments", SAMPLE / "nsf-pi-experts"]):
        ingest_source(store, p, None)
    report = relink(store, "r")
    assert report.links is not None
    assert report.links.by_rule.get("same-grant-and-name", 0) >= 100
    assert report.links.organizations_shared >= 100
    rows = store.query(
        """PREFIX skg: <https://w3id.org/sharekg/ns#> PREFIX owl: <http://www.w3.org/2002/07/owl#>
        SELECT ?instrument WHERE { ?instrument skg:contactPerson ?pi . ?pi owl:sameAs ?profile .
          ?profile skg:localId ?id . FILTER(STRSTARTS(?id, "nsf-pi-")) } LIMIT 1"""
    )
    assert isinstance(rows, ox.QuerySolutions) and len(list(rows)) == 1
    store.close()
