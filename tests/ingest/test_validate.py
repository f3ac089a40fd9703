"""The fast SHACL path (``compile_shapes().validate``) agrees with pyshacl, the reference, on real and broken records.

Valid side: every reader's fixture of real rows and every bundled sample source maps to triples that neither finds a
violation in. Broken side: a corpus of records, mostly real ones changed with ``dataclasses.replace``, a few as
hand-edited triple lists, that breaks every kind of constraint ``ontology/shapes.ttl`` uses; both must report the
same (focus node, path) pairs, and the fast path must name the record field and say what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
import pytest

from graph.errors import ConfigurationError
from ingest.iris import org_iri
from ingest.mapping import Triple, map_record
from ingest.pipeline import plan
from ingest.readers import fixed_readers
from ingest.readers.base import Reader
from ingest.readers.tabular import MappedReader
from ingest.records import Contact, Dataset, Expert, Facility, Grant, GrantRef, Instrument, OrgRef, Record, Subject
from ingest.report import Reject
from ingest.validate import SH, compile_shapes, validate_with_pyshacl
from ontology.terms import DCAT_, DCT, FOAF_, ORG_, RDF_, RDFS_, SKG, SKOS_, XSD_, ontology_text
from tests.conftest import FIXTURES, REPO, SAMPLE

MAPPINGS = REPO / "mappings"
R = TypeVar("R", Instrument, Facility, Dataset, Grant, Expert, Subject)


def nt(triples: Iterable[Triple]) -> str:
    return "\n".join(f"{s} {p} {o} ." for s, p, o in triples)


def union(records: Iterable[Record]) -> list[Triple]:
    """The distinct triples of the records with their organisation context: the graph of one source."""
    return list(dict.fromkeys(t for r in records for t in map_record(r).all_triples()))


def fast_pairs(triples: list[Triple]) -> set[tuple[str, str]]:
    return {(v.focus, v.path) for v in compile_shapes().validate(triples)}


def pyshacl_pairs(triples: list[Triple]) -> set[tuple[str, str]]:
    return set(validate_with_pyshacl(nt(triples)))


def read(reader: Reader, path: Path, source: str = "validate-test") -> list[Record]:
    return [item for item in reader.read(path, source) if not isinstance(item, Reject)]


# ---- valid records: nothing to report, on either path

ReaderFactory = Callable[[], Reader]


def fixed(name: str) -> ReaderFactory:
    return lambda: fixed_readers()[name]


def mapped(mapping: Path) -> ReaderFactory:
    return lambda: MappedReader(mapping)


REAL_ROWS: list[tuple[str, ReaderFactory]] = [
    ("uniquip/equipment.csv", fixed("uniquip")),
    ("xas-beamlines/beamlines.csv", fixed("xas-beamlines")),
    ("xas-beamlines/facilities.csv", fixed("light-sources")),
    ("datafinder/datasets.jsonl", fixed("datafinder")),
    ("dcat/catalogue.ttl", fixed("dcat")),
    ("dcat/catalogue.jsonld", fixed("dcat")),
    ("nsf-mri/awards.jsonl", fixed("nsf-mri")),
    ("nsf-mri/awards.csv", fixed("nsf-mri")),
    ("nsf-pi/experts.jsonl", fixed("nsf-pi")),
    ("openalex/authors.jsonl", fixed("openalex")),
    ("skos/anzsrc_sample.ttl", fixed("skos")),
    ("skos/anzsrc_sample.rdf", fixed("skos")),
    ("skos/oecd_sample.ttl", fixed("skos")),
    ("mapped/chmo_instrument_types.csv", mapped(MAPPINGS / "chmo-instrument-types.toml")),
    ("mapped/panet_techniques.csv", mapped(MAPPINGS / "panet-techniques.toml")),
    ("mapped/uniquip_equipment.csv", mapped(FIXTURES / "mapped" / "uniquip-instruments.toml")),
    ("mapped/datafinder_datasets.jsonl", mapped(FIXTURES / "mapped" / "datafinder-datasets.toml")),
    ("mapped/lightsources_facilities.csv", mapped(FIXTURES / "mapped" / "lightsources-facilities.toml")),
    ("mapped/nsf_mri_awards.csv", mapped(FIXTURES / "mapped" / "nsf-grants.toml")),
    ("golden/usage/rows/bookings.csv", fixed("usage")),
    ("golden/usage/rows/bookings.jsonl", fixed("usage")),
    ("golden/usage/rows/capacity.csv", fixed("capacity")),
    ("golden/contest/rows/contest.jsonl", fixed("contest")),
]


@pytest.mark.parametrize(("path", "reader"), REAL_ROWS, ids=[p for p, _ in REAL_ROWS])
def test_real_fixture_rows_are_valid_on_both_paths(path: str, reader: ReaderFactory) -> None:
    records = read(reader(), FIXTURES / path)
    assert records
    triples = union(records)
    assert compile_shapes().validate(triples) == []
    assert pyshacl_pairs(triples) == set()


def test_every_reader_has_real_rows_checked() -> None:
    assert {reader().name for _, reader in REAL_ROWS} == {*fixed_readers(), "mapped"}


#: Sample sources whose pyshacl run takes more than a second or two; all are small enough to check whole.
SLOW_SAMPLES = {"nsf-mri-instruments", "nsf-pi-experts", "openalex-experts", "usage-synthetic"}
SAMPLE_FOLDERS = sorted(p.name for p in SAMPLE.iterdir() if p.is_dir())


@pytest.mark.parametrize(
    "folder",
    [pytest.param(f, marks=pytest.mark.slow) if f in SLOW_SAMPLES else f for f in SAMPLE_FOLDERS],
)
def test_bundled_sample_sources_are_valid_on_both_paths(folder: str) -> None:
    """Each sample folder is one source, read as the pipeline plans it. Every source is checked whole, no subset: the
    slowest (nsf-mri-instruments, ~44,000 triples, and openalex-experts, ~63,000) take about 3 s each, pyshacl
    included, and usage-synthetic (~34,000 triples in 3,000 small records) about 8 s, under the ~10 s where a subset
    would do; they are marked slow."""
    (source_plan,) = plan([SAMPLE / folder])
    records = [r for path, reader in source_plan.files for r in read(reader, path, source_plan.source)]
    assert records
    triples = union(records)
    assert compile_shapes().validate(triples) == []
    assert pyshacl_pairs(triples) == set()


def test_sample_folders_are_all_checked() -> None:
    assert len(SAMPLE_FOLDERS) >= 10
    assert set(SAMPLE_FOLDERS) >= SLOW_SAMPLES


# ---- broken records: both paths report the same violations


@cache
def _read_fixture(path: str, reader: str) -> tuple[Record, ...]:
    return tuple(read(fixed_readers()[reader], FIXTURES / path))


def _key(record: Record) -> str:
    if isinstance(record, Subject):
        return record.iri
    if isinstance(record, Grant):
        return record.ref.award_id
    return record.local_id if hasattr(record, "local_id") else record.name


def real(cls: type[R], path: str, reader: str, key: str) -> R:
    """One real record of a fixture file, by its local id (a subject by IRI, a grant by award number)."""
    found = [r for r in _read_fixture(path, reader) if isinstance(r, cls) and _key(r) == key]
    assert found, f"no {cls.__name__} {key!r} in {path}"
    return found[0]


def uniquip(local_id: str = "st-andrews-0002") -> Instrument:
    return real(Instrument, "uniquip/equipment.csv", "uniquip", local_id)


def beamline(local_id: str = "ALS/11.0.2") -> Instrument:
    return real(Instrument, "xas-beamlines/beamlines.csv", "xas-beamlines", local_id)


def light_source(local_id: str = "ALS") -> Facility:
    return real(Facility, "xas-beamlines/facilities.csv", "light-sources", local_id)


def datafinder(local_id: str = "MuMu") -> Dataset:
    return real(Dataset, "datafinder/datasets.jsonl", "datafinder", local_id)


def dcat(local_id: str = "GAP Coreference Dataset") -> Dataset:
    return real(Dataset, "dcat/catalogue.ttl", "dcat", local_id)


def nsf_grant(award_id: str = "0520492") -> Grant:
    return real(Grant, "nsf-mri/awards.jsonl", "nsf-mri", award_id)


def nsf_pi(local_id: str = "nsf-pi-00076") -> Expert:
    return real(Expert, "nsf-pi/experts.jsonl", "nsf-pi", local_id)


def openalex(local_id: str = "A5002041459") -> Expert:
    return real(Expert, "openalex/authors.jsonl", "openalex", local_id)


def anzsrc(code: str = "510201") -> Subject:
    return real(Subject, "skos/anzsrc_sample.ttl", "skos", f"https://linked.data.gov.au/def/anzsrc-for/2020/{code}")


def focus(record: Record) -> str:
    return map_record(record).focus.value


def swap(triples: list[Triple], p: ox.NamedNode, new: ox.NamedNode | ox.Literal) -> list[Triple]:
    """The triples with every value of ``p`` replaced by ``new`` (a hand edit of what the mapping produced)."""
    assert any(t[1] == p for t in triples), f"no {p} to replace"
    return list(dict.fromkeys((s, q, new if q == p else o) for s, q, o in triples))


def drop(triples: list[Triple], unwanted: Callable[[Triple], bool]) -> list[Triple]:
    kept = [t for t in triples if not unwanted(t)]
    assert len(kept) < len(triples), "nothing dropped"
    return kept


Expected = set[tuple[str, str, str]]  # (focus node, path, sh:name of the record field)


@dataclass(frozen=True)
class Bad:
    id: str
    kind: str  # the SHACL constraint component broken, e.g. "MinCount" for sh:MinCountConstraintComponent
    build: Callable[[], tuple[list[Triple], Expected]]


def _missing_name() -> tuple[list[Triple], Expected]:
    r = replace(uniquip(), name="")
    return union([r]), {(focus(r), RDFS_.label.value, "name")}


def _dataset_without_title() -> tuple[list[Triple], Expected]:
    r = replace(datafinder(), title="")
    return union([r]), {(focus(r), DCT.title.value, "title"), (focus(r), RDFS_.label.value, "name")}


def _concept_without_pref_label() -> tuple[list[Triple], Expected]:
    r = replace(anzsrc(), label="")
    return union([r]), {(focus(r), SKOS_.prefLabel.value, "label")}


def _expert_without_name() -> tuple[list[Triple], Expected]:
    r = replace(nsf_pi(), name="")
    return union([r]), {(focus(r), RDFS_.label.value, "name"), (focus(r), FOAF_.name.value, "name")}


def _grant_without_award_id() -> tuple[list[Triple], Expected]:
    r = replace(nsf_grant(), ref=GrantRef("nsf", ""))
    return union([r]), {(focus(r), SKG.localId.value, "id"), (focus(r), SKG.awardId.value, "award_id")}


def _department_without_name() -> tuple[list[Triple], Expected]:
    r = uniquip()
    assert r.organization is not None
    dept = OrgRef("", r.organization.parent)
    return union([replace(r, organization=dept)]), {(org_iri(dept).value, RDFS_.label.value, "name")}


def _concept_without_scheme() -> tuple[list[Triple], Expected]:
    r = anzsrc()
    triples = drop(union([r]), lambda t: t[1] == SKOS_.inScheme)
    return triples, {(focus(r), SKOS_.inScheme.value, "scheme")}


def _two_names() -> tuple[list[Triple], Expected]:
    r = light_source()
    node = map_record(r).focus
    return [*union([r]), (node, RDFS_.label, ox.Literal("ALS"))], {(node.value, RDFS_.label.value, "name")}


def _duplicate_id() -> tuple[list[Triple], Expected]:
    """Two rows of one register under one id: two names and two hosting departments on one node."""
    first, second = uniquip("st-andrews-0002"), uniquip("st-andrews-0003")
    triples = union([first, replace(second, local_id=first.local_id)])
    return triples, {(focus(first), RDFS_.label.value, "name"), (focus(first), SKG.hostedBy.value, "organization")}


def _two_orcids() -> tuple[list[Triple], Expected]:
    r = openalex()
    triples = union([r, replace(r, orcid="https://orcid.org/0000-0002-1825-0097")])
    return triples, {(focus(r), SKG.orcid.value, "orcid")}


def _two_amounts() -> tuple[list[Triple], Expected]:
    r = nsf_grant()
    assert r.amount_usd is not None
    triples = union([r, replace(r, amount_usd=r.amount_usd + 1000)])
    return triples, {(focus(r), SKG.amountUSD.value, "amount_usd")}


def _two_facilities() -> tuple[list[Triple], Expected]:
    r = beamline()
    return union([r, replace(r, facility="APS")]), {(focus(r), SKG.atFacility.value, "facility")}


def _active_as_text() -> tuple[list[Triple], Expected]:
    r = light_source()
    return swap(union([r]), SKG.active, ox.Literal("yes")), {(focus(r), SKG.active.value, "active")}


def _issued_as_text() -> tuple[list[Triple], Expected]:
    r = dcat()
    node = map_record(r).focus
    return [*union([r]), (node, DCT.issued, ox.Literal("May 2020"))], {(node.value, DCT.issued.value, "issued")}


def _label_with_language() -> tuple[list[Triple], Expected]:
    r = uniquip()
    triples = swap(union([r]), RDFS_.label, ox.Literal(r.name, language="en"))
    # a record's name may carry a language tag (any literal); the organisations' labels are swapped too, and each is
    # a langString where the organisation shape asks for xsd:string
    orgs = {s.value for s, p, o in triples if p == RDF_.type and o == SKG.Organization}
    assert orgs
    return triples, {(o, RDFS_.label.value, "name") for o in orgs}


def _start_as_datetime() -> tuple[list[Triple], Expected]:
    r = nsf_grant()
    assert r.start is not None
    value = ox.Literal(f"{r.start.isoformat()}T00:00:00", datatype=XSD_.dateTime)
    return swap(union([r]), SKG.startDate, value), {(focus(r), SKG.startDate.value, "start")}


def _amount_as_decimal() -> tuple[list[Triple], Expected]:
    r = nsf_grant()
    value = ox.Literal(f"{r.amount_usd}.50", datatype=XSD_.decimal)
    return swap(union([r]), SKG.amountUSD, value), {(focus(r), SKG.amountUSD.value, "amount_usd")}


def _homepage_literal() -> tuple[list[Triple], Expected]:
    r = light_source()
    assert r.homepage is not None
    return swap(union([r]), FOAF_.homepage, ox.Literal(r.homepage)), {(focus(r), FOAF_.homepage.value, "homepage")}


def _orcid_literal() -> tuple[list[Triple], Expected]:
    r = openalex()
    assert r.orcid is not None
    return swap(union([r]), SKG.orcid, ox.Literal(r.orcid)), {(focus(r), SKG.orcid.value, "orcid")}


def _subject_literal() -> tuple[list[Triple], Expected]:
    r = dcat()
    value = ox.Literal("Natural language processing")
    return swap(union([r]), DCT.subject, value), {(focus(r), DCT.subject.value, "subjects")}


def _broader_literal() -> tuple[list[Triple], Expected]:
    r = anzsrc()
    return swap(union([r]), SKOS_.broader, ox.Literal("5102")), {(focus(r), SKOS_.broader.value, "broader")}


def _landing_page_literal() -> tuple[list[Triple], Expected]:
    r = datafinder()
    assert r.landing_page is not None
    value = ox.Literal(r.landing_page)
    return swap(union([r]), DCAT_.landingPage, value), {(focus(r), DCAT_.landingPage.value, "landing_page")}


def _hosted_by_untyped() -> tuple[list[Triple], Expected]:
    """The instrument's own triples without the organisation context: its host is not typed in the graph."""
    r = uniquip()
    return map_record(r).triples, {(focus(r), SKG.hostedBy.value, "organization")}


def _publisher_untyped() -> tuple[list[Triple], Expected]:
    r = dcat()
    return map_record(r).triples, {(focus(r), DCT.publisher.value, "publisher")}


def _affiliation_is_a_facility() -> tuple[list[Triple], Expected]:
    expert, facility = nsf_pi(), light_source()
    node = map_record(expert).focus
    triples = [*union([expert, facility]), (node, SKG.affiliation, map_record(facility).focus)]
    return triples, {(node.value, SKG.affiliation.value, "affiliations")}


def _parent_untyped() -> tuple[list[Triple], Expected]:
    r = uniquip()
    assert r.organization is not None and r.organization.parent is not None
    parent = org_iri(r.organization.parent)
    triples = drop(union([r]), lambda t: t[0] == parent and t[1] == RDF_.type)
    return triples, {(org_iri(r.organization).value, ORG_.subOrganizationOf.value, "parent")}


def _orcid_pattern() -> tuple[list[Triple], Expected]:
    r = replace(openalex(), orcid="https://orcid.org/0000-0002-6113-958")
    return union([r]), {(focus(r), SKG.orcid.value, "orcid")}


def _orcid_http() -> tuple[list[Triple], Expected]:
    r = replace(openalex(), orcid="http://orcid.org/0000-0002-6113-9589")
    return union([r]), {(focus(r), SKG.orcid.value, "orcid")}


def _contact_email_pattern() -> tuple[list[Triple], Expected]:
    r = uniquip()
    r = replace(r, contact=replace(r.contact, email="maths at st-andrews.ac.uk"))
    return union([r]), {(focus(r), SKG.contactEmail.value, "contact.email")}


def _homepage_mailto() -> tuple[list[Triple], Expected]:
    r = replace(light_source(), homepage="mailto:alsuser@lbl.gov")
    return union([r]), {(focus(r), FOAF_.homepage.value, "homepage")}


def _contact_page_file() -> tuple[list[Triple], Expected]:
    r = uniquip()
    r = replace(r, contact=replace(r.contact, url="file:///srv/www/maths/index.html"))
    return union([r]), {(focus(r), SKG.contactPage.value, "contact.url")}


def _empty_pref_label() -> tuple[list[Triple], Expected]:
    r = anzsrc()
    return swap(union([r]), SKOS_.prefLabel, ox.Literal("")), {(focus(r), SKOS_.prefLabel.value, "label")}


def _empty_organisation_label() -> tuple[list[Triple], Expected]:
    r = uniquip()
    assert r.organization is not None
    dept = org_iri(r.organization)
    triples = [(s, p, ox.Literal("") if s == dept and p == RDFS_.label else o) for s, p, o in union([r])]
    return triples, {(dept.value, RDFS_.label.value, "name")}


def _negative_amount() -> tuple[list[Triple], Expected]:
    r = replace(nsf_grant(), amount_usd=-224400)
    return union([r]), {(focus(r), SKG.amountUSD.value, "amount_usd")}


def _work_year(year: int) -> Callable[[], tuple[list[Triple], Expected]]:
    def build() -> tuple[list[Triple], Expected]:
        r = openalex()
        work, *rest = r.works
        r = replace(r, works=(replace(work, year=year), *rest))
        node = next(o for s, p, o in map_record(r).triples if p == SKG.authored)
        return union([r]), {(node.value, SKG.publicationYear.value, "works.year")}

    return build


def _several_problems() -> tuple[list[Triple], Expected]:
    """One DCAT record with three things wrong at once: each is reported on its own."""
    r = dcat("OTT-QA")
    r = replace(r, title="", contact=Contact(email="contact(at)example.org", url=r.contact.url))
    return union([r]), {
        (focus(r), DCT.title.value, "title"),
        (focus(r), RDFS_.label.value, "name"),
        (focus(r), SKG.contactEmail.value, "contact.email"),
    }


BAD = [
    Bad("instrument-without-name", "MinCount", _missing_name),
    Bad("dataset-without-title", "MinCount", _dataset_without_title),
    Bad("concept-without-prefLabel", "MinCount", _concept_without_pref_label),
    Bad("expert-without-name", "MinCount", _expert_without_name),
    Bad("grant-without-award-id", "MinCount", _grant_without_award_id),
    Bad("department-without-name", "MinCount", _department_without_name),
    Bad("concept-without-scheme", "MinCount", _concept_without_scheme),
    Bad("two-names", "MaxCount", _two_names),
    Bad("duplicate-id-two-names-two-hosts", "MaxCount", _duplicate_id),
    Bad("expert-with-two-orcids", "MaxCount", _two_orcids),
    Bad("grant-with-two-amounts", "MaxCount", _two_amounts),
    Bad("beamline-at-two-facilities", "MaxCount", _two_facilities),
    Bad("active-as-plain-text", "Datatype", _active_as_text),
    Bad("issued-as-plain-text", "Datatype", _issued_as_text),
    Bad("label-with-language-tag", "Datatype", _label_with_language),
    Bad("start-date-as-datetime", "Datatype", _start_as_datetime),
    Bad("amount-as-decimal", "Datatype", _amount_as_decimal),
    Bad("homepage-literal-not-iri", "NodeKind", _homepage_literal),
    Bad("orcid-literal-not-iri", "NodeKind", _orcid_literal),
    Bad("subject-literal-not-iri", "NodeKind", _subject_literal),
    Bad("broader-literal-not-iri", "NodeKind", _broader_literal),
    Bad("landing-page-literal-not-iri", "NodeKind", _landing_page_literal),
    Bad("hosted-by-untyped-node", "Class", _hosted_by_untyped),
    Bad("publisher-untyped-node", "Class", _publisher_untyped),
    Bad("affiliation-is-a-facility", "Class", _affiliation_is_a_facility),
    Bad("parent-organisation-untyped", "Class", _parent_untyped),
    Bad("orcid-too-short", "Pattern", _orcid_pattern),
    Bad("orcid-over-http", "Pattern", _orcid_http),
    Bad("contact-email-without-at", "Pattern", _contact_email_pattern),
    Bad("homepage-mailto", "Pattern", _homepage_mailto),
    Bad("contact-page-file-url", "Pattern", _contact_page_file),
    Bad("empty-prefLabel", "MinLength", _empty_pref_label),
    Bad("empty-organisation-label", "MinLength", _empty_organisation_label),
    Bad("negative-amount", "MinInclusive", _negative_amount),
    Bad("publication-year-1200", "MinInclusive", _work_year(1200)),
    Bad("publication-year-2500", "MaxInclusive", _work_year(2500)),
    Bad("three-problems-in-one-dataset", "MinCount", _several_problems),
]

#: What the fast path's message says for each kind of constraint.
MESSAGE = {
    "MinCount": "needs at least",
    "MaxCount": "allows at most",
    "Datatype": "expects a value of type",
    "NodeKind": "expects an IRI",
    "Class": "expects an instance of",
    "Pattern": "does not match the pattern",
    "MinLength": "shorter than",
    "MinInclusive": "below the minimum",
    "MaxInclusive": "above the maximum",
}


def pyshacl_components(triples: list[Triple]) -> set[tuple[str, str, str]]:
    """(focus, path, constraint component) of every pyshacl result, to check which constraint a case breaks."""
    import pyshacl
    import rdflib

    data = rdflib.Graph().parse(data=nt(triples), format="nt")
    shapes = rdflib.Graph().parse(data=ontology_text("shapes.ttl"), format="turtle")
    _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    sh = rdflib.Namespace(SH)
    return {
        (
            str(report.value(r, sh.focusNode)),
            str(report.value(r, sh.resultPath)),
            str(report.value(r, sh.sourceConstraintComponent)).removeprefix(SH).removesuffix("ConstraintComponent"),
        )
        for r in report.subjects(rdflib.RDF.type, sh.ValidationResult)
    }


@pytest.mark.parametrize("case", BAD, ids=[c.id for c in BAD])
def test_fast_path_and_pyshacl_report_the_same_violations(case: Bad) -> None:
    triples, expected = case.build()
    violations = compile_shapes().validate(triples)
    assert {(v.focus, v.path) for v in violations} == pyshacl_pairs(triples)
    assert {(v.focus, v.path, v.field) for v in violations} == expected
    assert case.kind in {kind for _, _, kind in pyshacl_components(triples)}
    assert any(MESSAGE[case.kind] in v.message for v in violations)
    for v in violations:
        assert v.field, f"{v.path} has no sh:name"
        assert v.message[0].islower() and len(v.message) > 15 and "None" not in v.message, v.message


def _constraint_kinds_in_shapes() -> set[str]:
    """The constraint parameters the property shapes of shapes.ttl use, as component names (minCount -> MinCount)."""
    store = ox.Store()
    store.load(ontology_text("shapes.ttl"), format=ox.RdfFormat.TURTLE)
    not_constraints = {"path", "name", "message", "description", "order", "severity", "flags"}
    kinds = set()
    for link in store.quads_for_pattern(None, ox.NamedNode(SH + "property"), None):
        for q in store.quads_for_pattern(link.object, None, None):  # type: ignore[arg-type]
            name = q.predicate.value.removeprefix(SH)
            if q.predicate.value.startswith(SH) and name not in not_constraints:
                kinds.add(name[0].upper() + name[1:])
    return kinds


def test_the_corpus_breaks_every_kind_of_constraint_the_shapes_use() -> None:
    used = _constraint_kinds_in_shapes()
    assert used == set(MESSAGE)
    assert used <= {c.kind for c in BAD}


# ---- compiling the shapes


def test_every_property_shape_of_shapes_ttl_compiles_to_a_rule() -> None:
    """The real shapes compile, every sh:property becomes one rule, and no node shape carries a constraint of its
    own (compile_shapes reads property shapes only)."""
    shapes = compile_shapes(ontology_text("shapes.ttl"))
    store = ox.Store()
    store.load(ontology_text("shapes.ttl"), format=ox.RdfFormat.TURTLE)
    target = ox.NamedNode(SH + "targetClass")
    for q in store.quads_for_pattern(None, target, None):
        cls = q.object
        assert isinstance(cls, ox.NamedNode)
        links = list(store.quads_for_pattern(q.subject, ox.NamedNode(SH + "property"), None))
        assert len(shapes.by_class[cls.value]) == len(links), cls.value
        node_level = {p.predicate.value for p in store.quads_for_pattern(q.subject, None, None)}
        assert node_level == {RDF_.type.value, target.value, SH + "property"}
    assert set(shapes.by_class) == {
        SKG[name].value
        for name in (
            "Instrument",
            "Facility",
            "Dataset",
            "Expert",
            "Organization",
            "Grant",
            "Output",
            "Subject",
            "UsageRecord",
            "Contest",
            "Track",
            "ChallengeTopic",
            "Team",
            "Entry",
            "Project",
            "Need",
        )
    } | {FOAF_.Person.value}


SHAPE = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skg: <https://w3id.org/sharekg/ns#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
skg:S a sh:NodeShape ; sh:targetClass skg:Instrument ;
    sh:property [ sh:path rdfs:label ; sh:name "name" ; {constraint} ] .
"""

UNSUPPORTED = {
    "hasValue": "sh:hasValue skg:Instrument",
    "in": 'sh:in ( "a" "b" )',
    "languageIn": 'sh:languageIn ( "en" )',
    "uniqueLang": "sh:uniqueLang true",
    "equals": "sh:equals skg:localId",
    "or": "sh:or ( [ sh:datatype xsd:string ] [ sh:nodeKind sh:IRI ] )",
    "qualifiedValueShape": "sh:qualifiedValueShape [ sh:datatype xsd:string ] ; sh:qualifiedMinCount 1",
}


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_a_constraint_the_fast_path_does_not_implement_is_refused(name: str) -> None:
    text = SHAPE.replace("{constraint}", UNSUPPORTED[name])
    with pytest.raises(ConfigurationError, match=rf"does not implement: \[.*'{name}'") as raised:
        compile_shapes(text)
    assert "ingest/validate.py" in str(raised.value)


def test_a_supported_constraint_in_the_same_template_compiles() -> None:
    """The template itself is fine: only the unsupported constraint makes it fail."""
    shapes = compile_shapes(SHAPE.replace("{constraint}", "sh:maxLength 200"))
    (rule,) = shapes.by_class[SKG.Instrument.value]
    assert (rule.path, rule.name, rule.max_length) == (RDFS_.label, "name", 200)


# ---- gaps found in review and closed: the fast path now agrees with pyshacl on these too


def repeated_label() -> list[Triple]:
    """A facility's triples with its label triple listed twice: still one statement of the graph."""
    triples = union([light_source()])
    return [*triples, next(t for t in triples if t[1] == RDFS_.label)]


def ill_typed_start() -> tuple[str, list[Triple]]:
    r = nsf_grant()
    return focus(r), swap(union([r]), SKG.startDate, ox.Literal("2005-13-45", datatype=XSD_.date))


def test_pyshacl_reads_a_repeated_triple_once_and_flags_an_ill_typed_date() -> None:
    """The reference behaviour the two strict xfails below hold the fast path to."""
    assert pyshacl_pairs(repeated_label()) == set()
    node, triples = ill_typed_start()
    assert pyshacl_pairs(triples) == {(node, SKG.startDate.value)}


def test_fast_path_reads_a_repeated_triple_once() -> None:
    assert fast_pairs(repeated_label()) == set()


def test_fast_path_flags_an_ill_typed_date() -> None:
    node, triples = ill_typed_start()
    assert fast_pairs(triples) == {(node, SKG.startDate.value)}


PARTLY_ENFORCED = {
    "node-level sh:closed": "skg:S a sh:NodeShape ; sh:targetClass skg:Instrument ; sh:closed true ;"
    ' sh:property [ sh:path rdfs:label ; sh:name "name" ] .',
    "node-level sh:nodeKind": "skg:S a sh:NodeShape ; sh:targetClass skg:Instrument ; sh:nodeKind sh:IRI ;"
    ' sh:property [ sh:path rdfs:label ; sh:name "name" ] .',
    "sh:targetNode": "skg:S a sh:NodeShape ; sh:targetNode skg:x ;"
    ' sh:property [ sh:path rdfs:label ; sh:name "name" ; sh:minCount 1 ] .',
    "two sh:pattern values": "skg:S a sh:NodeShape ; sh:targetClass skg:Instrument ;"
    ' sh:property [ sh:path rdfs:label ; sh:name "name" ; sh:pattern "^a", "^b" ] .',
    "sh:nodeKind sh:BlankNodeOrIRI": "skg:S a sh:NodeShape ; sh:targetClass skg:Instrument ;"
    ' sh:property [ sh:path rdfs:label ; sh:name "name" ; sh:nodeKind sh:BlankNodeOrIRI ] .',
}


@pytest.mark.parametrize("case", sorted(PARTLY_ENFORCED))
def test_a_shape_the_fast_path_would_only_partly_enforce_is_refused(case: str) -> None:
    prefixes = SHAPE.split("skg:S")[0]
    with pytest.raises(ConfigurationError):
        compile_shapes(prefixes + PARTLY_ENFORCED[case])
