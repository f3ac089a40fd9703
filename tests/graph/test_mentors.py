"""Mentor suggestion with the real model: experts who fit the entry's need, each skipped one with its reason
(member of the team, same organisation, co-author, already mentoring, at cap)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.contest.mentors import entry_need, suggest_mentors
from graph.errors import InputError
from graph.search import NOTHING_FITS, Embedder, EmbeddingCache, Filters
from graph.search.index import SearchIndex
from graph.search.matcher import Matcher
from graph.store import BASE, Store, Triple, open_store
from ontology.terms import FOAF_, ORG_, OWL_, RDF_, RDFS_, SKG

NEED = "We need help with super-resolution fluorescence microscopy of live cells for our biosensor project"
MICROSCOPY = ["super-resolution microscopy", "live-cell fluorescence imaging", "cell biology"]


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def expert(key: str, name: str) -> str:
    return f"{BASE}expert/{key}/{name.lower().replace(' ', '-')}"


def org(name: str) -> str:
    return f"{BASE}org/{name.lower().replace(' ', '-')}"


TOOMRE = expert("nsf-pi", "Derek Toomre")
LIU = expert("nsf-pi", "Gang-Yu Liu")
STA_NSF = expert("nsf-pi", "Ifor Samuel")
STA_OPENALEX = expert("openalex", "Ifor Samuel")
COAUTHOR = expert("openalex", "Xiaowei Zhuang")
BUSY = expert("nsf-pi", "Hari Shroff")
ALREADY = expert("nsf-pi", "Jennifer Lippincott-Schwartz")
MEI_RECORD = expert("openalex", "Mei Chen")
OCEAN = expert("nsf-pi", "Heidi Sosik")
ST_ANDREWS = org("University of St Andrews")
PHYSICS = org("University of St Andrews School of Physics and Astronomy")
TEAM = f"{BASE}team/sharing-cup/team-lumen"
MEI = f"{BASE}person/sharing-cup/mei-chen"
ENTRY = f"{BASE}entry/sharing-cup/lumen-2026"
PAPER = f"{BASE}output/openalex/W2963"


def graph() -> list[Triple]:
    t: list[Triple] = []

    def add(s: str, p: ox.NamedNode, o: str | ox.NamedNode | ox.Literal) -> None:
        t.append((n(s), p, n(o) if isinstance(o, str) else o))

    people = {
        TOOMRE: ("Derek Toomre", org("Yale University"), MICROSCOPY),
        LIU: ("Gang-Yu Liu", org("University of California Davis"), ["super-resolution imaging", *MICROSCOPY[1:]]),
        STA_NSF: ("Ifor Samuel", None, MICROSCOPY),
        STA_OPENALEX: ("Ifor Samuel", ST_ANDREWS, ["fluorescence microscopy", "organic semiconductors"]),
        COAUTHOR: ("Xiaowei Zhuang", org("Harvard University"), MICROSCOPY),
        BUSY: ("Hari Shroff", org("Janelia Research Campus"), MICROSCOPY),
        ALREADY: ("Jennifer Lippincott-Schwartz", org("Janelia Research Campus"), MICROSCOPY),
        MEI_RECORD: ("Mei Chen", org("University of St Andrews"), ["live-cell fluorescence imaging"]),
        OCEAN: ("Heidi Sosik", org("Woods Hole Oceanographic Institution"), ["phytoplankton", "ocean observing"]),
    }
    for iri, (name, affiliation, keywords) in people.items():
        add(iri, RDF_.type, SKG.Expert)
        add(iri, RDFS_.label, ox.Literal(name))
        for keyword in keywords:
            add(iri, SKG.keyword, ox.Literal(keyword))
        if affiliation:
            add(iri, SKG.affiliation, affiliation)
            add(affiliation, RDF_.type, SKG.Organization)
    add(STA_NSF, OWL_.sameAs, STA_OPENALEX)
    add(ST_ANDREWS, RDFS_.label, ox.Literal("University of St Andrews"))
    add(PHYSICS, RDFS_.label, ox.Literal("School of Physics and Astronomy"))
    add(PHYSICS, ORG_.subOrganizationOf, ST_ANDREWS)
    # the team, its member (linked to her OpenAlex record) and a paper she wrote with an expert
    add(TEAM, RDF_.type, SKG.Team)
    add(TEAM, RDFS_.label, ox.Literal("Team Lumen"))
    add(TEAM, SKG.teamOrganization, PHYSICS)
    add(TEAM, SKG.member, MEI)
    add(MEI, RDF_.type, FOAF_.Person)
    add(MEI, RDFS_.label, ox.Literal("Mei Chen"))
    add(MEI, OWL_.sameAs, MEI_RECORD)
    add(PAPER, RDF_.type, SKG.Output)  # as the readers type an output: the class and its kind
    add(PAPER, RDF_.type, SKG.Paper)
    add(PAPER, RDFS_.label, ox.Literal("Live-cell STED imaging of mitochondrial cristae"))
    add(MEI_RECORD, SKG.authored, PAPER)
    add(COAUTHOR, SKG.authored, PAPER)
    # the entry with its need, and the load of the experts
    project, need = f"{BASE}project/sharing-cup/lumen-2026", f"{BASE}need/sharing-cup/lumen-2026"
    add(ENTRY, RDF_.type, SKG.Entry)
    add(ENTRY, SKG.submittedBy, TEAM)
    add(ENTRY, SKG.project, project)
    add(project, SKG.statesNeed, need)
    add(need, SKG.needText, ox.Literal(NEED))
    add(ENTRY, SKG.mentor, ALREADY)
    for i, mentor in enumerate([BUSY, BUSY, BUSY, TOOMRE]):
        other = f"{BASE}entry/sharing-cup/other-{i}"
        add(other, RDF_.type, SKG.Entry)
        add(other, SKG.mentor, mentor)
    return t


@pytest.fixture(scope="module")
def world(embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, Matcher]:
    store = open_store(None)
    store.replace_source("contest", "r1", graph(), "c1")
    cache = EmbeddingCache(tmp_path_factory.mktemp("cache") / "embeddings.sqlite")
    index = SearchIndex.build(store, embedder, cache)
    cache.close()
    return store, Matcher(index, embedder)


def test_entry_need_reads_the_team_and_the_need_text(world: tuple[Store, Matcher]) -> None:
    store, _ = world
    assert entry_need(store, ENTRY) == (TEAM, NEED)
    assert entry_need(store, f"{BASE}entry/sharing-cup/none") == (None, "")


def test_every_skipped_expert_says_why(world: tuple[Store, Matcher]) -> None:
    store, matcher = world
    found = suggest_mentors(store, matcher, entry=ENTRY, k=8)
    assert (found.need, found.team, found.cap) == (NEED, TEAM, 3)
    assert {s.iri: s.load for s in found.suggested} == {TOOMRE: 1, LIU: 0, OCEAN: 0}
    assert found.suggested[-1].iri == OCEAN  # the weakest fit
    reasons = {s.iri: s.reasons for s in found.skipped}
    assert reasons == {
        min(STA_NSF, STA_OPENALEX): ("same organisation as the team: University of St Andrews",),
        COAUTHOR: ("co-author with team member Mei Chen on 'Live-cell STED imaging of mitochondrial cristae'",),
        BUSY: ("at cap: 3 entries already (cap 3)",),
        ALREADY: ("already mentors this entry",),
        MEI_RECORD: ("member of the team: Mei Chen", "same organisation as the team: University of St Andrews"),
    }


def test_experts_ranked_below_the_last_suggestion_are_not_examined(world: tuple[Store, Matcher]) -> None:
    store, matcher = world
    found = suggest_mentors(store, matcher, entry=ENTRY, k=1)
    (first,) = found.suggested
    assert first.iri in {TOOMRE, LIU} and all(s.score >= first.score for s in found.skipped)


def test_cap_and_team_are_parameters(world: tuple[Store, Matcher]) -> None:
    store, matcher = world
    free = suggest_mentors(store, matcher, NEED, k=8, cap=4)  # no team: only load and the cap apply
    assert BUSY in {s.iri for s in free.suggested} and free.team is None
    tight = suggest_mentors(store, matcher, NEED, team=TEAM, k=8, cap=1)
    assert dict((s.iri, s.reasons) for s in tight.skipped)[TOOMRE] == ("at cap: 1 entries already (cap 1)",)
    assert OCEAN in {s.iri for s in tight.suggested}  # the rest are skipped, so the weak fit comes up


def test_a_suggestion_shows_what_match_shows_of_the_expert(world: tuple[Store, Matcher]) -> None:
    """Each suggested mentor carries the fit and band ``/match`` gives the expert, the similarity it was read from
    (their works' where they have works) and the works that justify it, never a bare profile cosine."""
    store, matcher = world
    free = suggest_mentors(store, matcher, NEED, k=8, cap=4)  # no team: the co-author is not skipped
    ranked = matcher.variant(floor=0.0, diverse=False).match(NEED, Filters(types=("Expert",)), 30).results["Expert"]
    listed = {r.iri: r for r in ranked}
    assert COAUTHOR in {s.iri for s in free.suggested}
    for s in free.suggested:
        r = listed[s.iri]
        assert (s.fit, s.band, s.score) == (r.fit, r.band, r.score) and 0.0 <= s.fit <= 1.0
        assert s.works == tuple(r.explanation.works)
        signals = r.explanation.signals
        if s.iri in (COAUTHOR, MEI_RECORD):  # read by the one paper they wrote together
            assert [title for title, _, _ in s.works] == ["Live-cell STED imaging of mitochondrial cristae"]
            assert s.similarity == signals["works"]
        else:
            assert not s.works and s.similarity == signals["cosine"]


def test_misuse_is_refused(world: tuple[Store, Matcher], tmp_path: Path) -> None:
    store, matcher = world
    with pytest.raises(InputError, match="no need"):
        suggest_mentors(store, matcher, entry=f"{BASE}entry/sharing-cup/none")
    with pytest.raises(InputError, match="cap is 0"):
        suggest_mentors(store, matcher, NEED, cap=0)
    with pytest.raises(InputError, match="depth"):
        suggest_mentors(store, matcher, NEED, k=5, depth=3)
    with pytest.raises(InputError, match="not an IRI"):
        suggest_mentors(store, matcher, NEED, team="> DROP ALL")
    with pytest.raises(InputError, match="team: no team"):  # not read as a team without conflicts
        suggest_mentors(store, matcher, NEED, team=f"{BASE}team/sharing-cup/nobody")


def test_where_no_expert_fits_the_answer_says_so(world: tuple[Store, Matcher]) -> None:
    """As /match notes a type whose first results do not reach the floor, mentor suggestions say that nothing fits
    the need well, and the closest experts they still suggest are weak, whatever their fit."""
    store, matcher = world
    fitting = suggest_mentors(store, matcher, NEED, k=3, cap=4)
    assert fitting.note == "" and fitting.suggested
    matched = matcher.match(NEED, Filters(types=("Expert",)), 3)
    assert "Expert" not in matched.notes  # /match presents experts for it too
    hopeless = "medieval Latin poetry translated into modern verse"
    assert "Expert" in matcher.match(hopeless, Filters(types=("Expert",)), 3).notes
    found = suggest_mentors(store, matcher, hopeless, k=3, cap=4)
    assert found.note == NOTHING_FITS and found.suggested
    assert all(s.band == "weak" for s in found.suggested) and all(s.band == "weak" for s in found.skipped)
