"""Records to RDF: a pure function from one typed record to its triples.

No I/O and no state: the same record always gives the same triples. Each record's triples are
about its *focus* node (the instrument, the dataset, …) plus the context nodes it names
(its organisation and that organisation's parents, its grant), so that every source graph is
self-contained and validates on its own. Triples about organisations, which many records repeat, are
kept apart as ``context`` (computed once per organisation), so the pipeline checks and writes them once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import pyoxigraph as ox

from graph.store import Triple
from ingest.iris import grant_iri, normalize_name, org_iri, record_iri
from ingest.records import (
    Capacity,
    ChallengeTopic,
    Contact,
    Contest,
    Dataset,
    Entry,
    Expert,
    Facility,
    Grant,
    Instrument,
    IriRef,
    Organization,
    OrgRef,
    Output,
    Place,
    Record,
    Ref,
    Subject,
    Team,
    UsageRecord,
    Work,
)
from ontology.terms import DCAT_, DCT, FOAF_, ORG_, PROV_, RDF_, RDFS_, SKG, SKOS_, XSD_

WORK_CLASSES = {
    "paper": SKG.Paper,
    "software": SKG.Software,
    "patent": SKG.Patent,
    "award": SKG.Award,
    "start-up": SKG.StartUp,
    "dataset": SKG.DataOutput,
}


@dataclass(frozen=True, slots=True)
class MappedRecord:
    record: Record
    focus: ox.NamedNode
    triples: list[Triple]
    context: tuple[tuple[Triple, ...], ...] = ()  # one tuple per organisation the record names

    def all_triples(self) -> list[Triple]:
        return [*self.triples, *(t for group in self.context for t in group)]


class _Triples(list[Triple]):
    """A triple list that skips empty values, so mapping code states each field once.

    ``language`` is the record's (``Instrument.language``, …): its words (``tagged=True``: names, descriptions,
    keywords) are written as literals in that language, its codes and addresses as plain strings.
    """

    def __init__(self, language: str | None = None) -> None:
        super().__init__()
        self.context: list[tuple[Triple, ...]] = []
        self.language = language

    def _literal(self, value: str, tagged: bool) -> ox.Literal:
        return ox.Literal(value, language=self.language) if tagged and self.language else ox.Literal(value)

    def text(self, s: ox.NamedNode, p: ox.NamedNode, value: str | None, *, tagged: bool = False) -> None:
        if value:
            self.append((s, p, self._literal(value, tagged)))

    def texts(self, s: ox.NamedNode, p: ox.NamedNode, values: tuple[str, ...], *, tagged: bool = False) -> None:
        for value in values:
            self.append((s, p, self._literal(value, tagged)))

    def typed(self, s: ox.NamedNode, p: ox.NamedNode, value: object, datatype: ox.NamedNode) -> None:
        if value is not None:
            lexical = str(value).lower() if isinstance(value, bool) else str(value)
            self.append((s, p, ox.Literal(lexical, datatype=datatype)))

    def iri(self, s: ox.NamedNode, p: ox.NamedNode, value: str | ox.NamedNode | None) -> None:
        if value:
            self.append((s, p, value if isinstance(value, ox.NamedNode) else ox.NamedNode(value)))

    def place(self, s: ox.NamedNode, place: Place) -> None:
        self.text(s, SKG.city, place.city)
        self.text(s, SKG.region, place.region)
        self.text(s, SKG.country, place.country)
        self.text(s, SKG.address, place.address)

    def contact(self, s: ox.NamedNode, contact: Contact) -> None:
        self.text(s, SKG.contactEmail, contact.email)
        self.text(s, SKG.contactTelephone, contact.phone)
        self.iri(s, SKG.contactPage, contact.url)

    def synthetic(self, s: ox.NamedNode, synthetic: bool) -> None:
        if synthetic:
            self.append((s, SKG.synthetic, ox.Literal("true", datatype=XSD_.boolean)))

    def org(self, ref: OrgRef) -> ox.NamedNode:
        node, triples = org_triples(ref)
        self.context.append(triples)
        return node

    def label(self, s: ox.NamedNode, cls: ox.NamedNode, name: str, local_id: str) -> None:
        self.append((s, RDF_.type, cls))
        self.text(s, RDFS_.label, name, tagged=True)
        self.text(s, SKG.localId, local_id)


@lru_cache(maxsize=65536)
def org_triples(ref: OrgRef) -> tuple[ox.NamedNode, tuple[Triple, ...]]:
    """An organisation's node and the triples that describe it (name, normalised name, parents)."""
    node = org_iri(ref)
    t = _Triples()
    t.append((node, RDF_.type, SKG.Organization))
    t.text(node, RDFS_.label, ref.name)
    t.text(node, SKG.normalizedName, normalize_name(ref.name))
    if ref.parent is not None:
        parent, parent_triples = org_triples(ref.parent)
        t.append((node, ORG_.subOrganizationOf, parent))
        t.extend(parent_triples)
    return node, tuple(t)


def _date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _datetime(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def ref_iri(ref: Ref) -> ox.NamedNode:
    """The IRI of a record of any source: given, or minted as that source's mapping minted it."""
    if isinstance(ref, IriRef):
        return ox.NamedNode(ref.iri)
    return record_iri(ref.kind, ref.source, ref.local_id)


def map_record(record: Record) -> MappedRecord:
    """The triples of one record."""
    t = _Triples(getattr(record, "language", None))
    focus = _MAPPERS[type(record)](record, t)
    return MappedRecord(record, focus, list(t), tuple(dict.fromkeys(t.context)))


def _organization(r: Organization, t: _Triples) -> ox.NamedNode:
    node, triples = org_triples(OrgRef(r.name, r.parent))
    t.extend(triples)
    t.place(node, r.place)
    t.iri(node, FOAF_.homepage, r.homepage)
    t.iri(node, SKG.ror, r.ror)
    t.text(node, SKG.organizationType, r.kind)
    return node


def _grant(r: Grant, t: _Triples) -> ox.NamedNode:
    node = grant_iri(r.ref)
    t.label(node, SKG.Grant, r.title, r.ref.award_id)
    t.text(node, SKG.awardId, r.ref.award_id)
    t.text(node, SKG.funder, r.ref.funder)
    t.text(node, DCT.abstract, r.abstract)
    t.typed(node, SKG.startDate, _date(r.start), XSD_.date)
    t.typed(node, SKG.endDate, _date(r.end), XSD_.date)
    t.typed(node, SKG.amountUSD, r.amount_usd, XSD_.integer)
    t.iri(node, FOAF_.homepage, r.url)
    t.texts(node, SKG.programme, r.programme)
    return node


def _work(expert: ox.NamedNode, source: str, w: Work, t: _Triples) -> None:
    node = record_iri("output", source, w.local_id)
    t.label(node, SKG.Output, w.title, w.local_id)
    if w.kind in WORK_CLASSES:
        t.append((node, RDF_.type, WORK_CLASSES[w.kind]))
    t.text(node, DCT.abstract, w.abstract)
    t.typed(node, SKG.publicationYear, w.year, XSD_.integer)
    t.text(node, SKG.doi, w.doi)
    t.text(node, SKG.venue, w.venue)
    t.texts(node, SKG.keyword, w.keywords)
    t.append((expert, SKG.authored, node))


def _expert(r: Expert, t: _Triples) -> ox.NamedNode:
    node = record_iri("expert", r.origin.source, r.local_id)
    t.label(node, SKG.Expert, r.name, r.local_id)
    t.text(node, FOAF_.name, r.name)
    t.text(node, SKG.normalizedName, normalize_name(r.name))
    t.texts(node, SKOS_.altLabel, r.alt_names)
    for ref in r.affiliations:
        t.append((node, SKG.affiliation, t.org(ref)))
    t.place(node, r.place)
    t.iri(node, SKG.orcid, r.orcid)
    t.texts(node, SKG.externalId, r.external_ids)
    t.texts(node, SKG.keyword, r.keywords)
    for subject in r.subjects:
        t.iri(node, DCT.subject, subject)
    for role in r.roles:
        p = SKG.principalInvestigator if role.role == "PI" else SKG.coPrincipalInvestigator
        t.append((grant_iri(role.grant), p, node))
    for work in r.works:
        _work(node, r.origin.source, work, t)
    return node


def _facility(r: Facility, t: _Triples) -> ox.NamedNode:
    node = record_iri("facility", r.origin.source, r.local_id)
    t.label(node, SKG.Facility, r.name, r.local_id)
    t.text(node, SKG.cstr, r.cstr)
    t.texts(node, SKOS_.altLabel, r.alt_names, tagged=True)
    t.text(node, DCT.description, r.description, tagged=True)
    t.text(node, SKG.facilityType, r.kind)
    if r.operator is not None:
        t.append((node, SKG.hostedBy, t.org(r.operator)))
    t.place(node, r.place)
    t.iri(node, FOAF_.homepage, r.homepage)
    t.contact(node, r.contact)
    t.typed(node, SKG.active, r.active, XSD_.boolean)
    t.text(node, SKG.accessTerms, r.access, tagged=True)
    return node


def _instrument(r: Instrument, t: _Triples) -> ox.NamedNode:
    source = r.origin.source
    node = record_iri("instrument", source, r.local_id)
    t.label(node, SKG.Instrument, r.name, r.local_id)
    t.text(node, SKG.cstr, r.cstr)
    t.text(node, DCT.description, r.description, tagged=True)
    t.text(node, SKG.instrumentType, r.instrument_type)
    t.texts(node, SKG.technique, r.techniques, tagged=True)
    t.texts(node, SKG.keyword, r.keywords, tagged=True)
    for subject in r.subjects:
        t.iri(node, DCT.subject, subject)
    if r.organization is not None:
        t.append((node, SKG.hostedBy, t.org(r.organization)))
    if r.facility:
        t.append((node, SKG.atFacility, record_iri("facility", source, r.facility)))
    t.place(node, r.place)
    t.contact(node, r.contact)
    for person in r.contacts:
        t.append((node, SKG.contactPerson, record_iri("expert", source, person)))
    t.iri(node, FOAF_.homepage, r.homepage)
    t.text(node, SKG.status, r.status)
    t.text(node, SKG.accessTerms, r.access, tagged=True)
    if r.grant is not None:
        t.append((node, SKG.fundedBy, grant_iri(r.grant)))
    t.texts(node, SKG.specification, tuple(f"{name}: {value}" for name, value in r.specs), tagged=True)
    return node


def _dataset(r: Dataset, t: _Triples) -> ox.NamedNode:
    node = record_iri("dataset", r.origin.source, r.local_id)
    t.label(node, SKG.Dataset, r.title, r.local_id)
    t.text(node, SKG.cstr, r.cstr)
    t.text(node, DCT.title, r.title, tagged=True)
    t.text(node, DCT.description, r.description, tagged=True)
    t.texts(node, SKOS_.altLabel, r.alt_names, tagged=True)
    t.texts(node, SKG.keyword, r.keywords, tagged=True)
    for subject in r.subjects:
        t.iri(node, DCT.subject, subject)
    t.iri(node, DCAT_.landingPage, r.landing_page)
    if r.publisher is not None:
        t.append((node, DCT.publisher, t.org(r.publisher)))
    t.iri(node, DCT.license, r.license)
    t.typed(node, DCT.issued, _date(r.issued), XSD_.date)
    t.text(node, SKG.sourcePaperTitle, r.source_paper_title)
    t.contact(node, r.contact)
    return node


def _subject(r: Subject, t: _Triples) -> ox.NamedNode:
    node = ox.NamedNode(r.iri)
    scheme = ox.NamedNode(r.scheme)
    t.append((node, RDF_.type, SKG.Subject))
    t.append((node, RDF_.type, SKOS_.Concept))
    t.text(node, SKOS_.prefLabel, r.label)
    t.text(node, RDFS_.label, r.label)
    t.append((node, SKOS_.inScheme, scheme))
    t.append((scheme, RDF_.type, SKG.SubjectScheme))
    t.append((scheme, RDF_.type, SKOS_.ConceptScheme))
    t.text(scheme, RDFS_.label, r.scheme_label)
    t.text(node, SKOS_.notation, r.notation)
    t.texts(node, SKOS_.altLabel, r.alt_labels)
    t.text(node, SKOS_.definition, r.definition)
    for broader in r.broader:
        t.iri(node, SKOS_.broader, broader)
    return node


def _usage(r: UsageRecord, t: _Triples) -> ox.NamedNode:
    node = record_iri("usage", r.origin.source, r.local_id)
    t.append((node, RDF_.type, SKG.UsageRecord))
    t.text(node, SKG.localId, r.local_id)
    t.append((node, SKG.usedResource, ref_iri(r.resource)))
    organization = t.org(r.organization) if r.organization is not None else None
    user = r.team or r.person
    t.iri(node, SKG.user, ref_iri(user) if user is not None else organization)
    t.iri(node, SKG.userOrganization, organization)
    t.typed(node, PROV_.startedAtTime, _datetime(r.start), XSD_.dateTime)
    t.typed(node, PROV_.endedAtTime, _datetime(r.end), XSD_.dateTime)
    t.typed(node, SKG.hoursBooked, r.hours_booked, XSD_.decimal)
    t.typed(node, SKG.hoursUsed, r.hours_used, XSD_.decimal)
    t.text(node, SKG.usageStatus, r.status)
    if r.entry is not None:
        t.append((node, SKG.forEntry, ref_iri(r.entry)))
    t.synthetic(node, r.synthetic)
    return node


def _capacity(r: Capacity, t: _Triples) -> ox.NamedNode:
    node = ref_iri(r.resource)
    t.typed(node, SKG.capacityHoursPerYear, r.hours_per_year, XSD_.decimal)
    return node


def _contest(r: Contest, t: _Triples) -> ox.NamedNode:
    source = r.origin.source
    node = record_iri("contest", source, r.local_id)
    t.label(node, SKG.Contest, r.name, r.local_id)
    t.text(node, DCT.description, r.description)
    t.typed(node, SKG.startDate, _date(r.start), XSD_.date)
    t.typed(node, SKG.endDate, _date(r.end), XSD_.date)
    if r.organizer is not None:
        t.append((node, SKG.hostedBy, t.org(r.organizer)))
    t.iri(node, FOAF_.homepage, r.homepage)
    t.synthetic(node, r.synthetic)
    for track in r.tracks:
        track_node = record_iri("track", source, track.local_id)
        t.label(track_node, SKG.Track, track.name, track.local_id)
        t.text(track_node, DCT.description, track.description)
        t.synthetic(track_node, r.synthetic)
        t.append((node, SKG.track, track_node))
    return node


def _topic(r: ChallengeTopic, t: _Triples) -> ox.NamedNode:
    source = r.origin.source
    node = record_iri("topic", source, r.local_id)
    t.label(node, SKG.ChallengeTopic, r.title, r.local_id)
    t.text(node, DCT.description, r.text)
    t.append((node, SKG.postedBy, t.org(r.posted_by)))
    if r.contest:
        t.append((node, DCT.isPartOf, record_iri("contest", source, r.contest)))
    for subject in r.subjects:
        t.iri(node, DCT.subject, subject)
    t.texts(node, SKG.keyword, r.keywords)
    t.synthetic(node, r.synthetic)
    return node


def _team(r: Team, t: _Triples) -> ox.NamedNode:
    source = r.origin.source
    node = record_iri("team", source, r.local_id)
    t.label(node, SKG.Team, r.name, r.local_id)
    for member in r.members:
        person = record_iri("person", source, member.local_id)
        t.label(person, FOAF_.Person, member.name, member.local_id)
        t.text(person, FOAF_.name, member.name)
        t.synthetic(person, r.synthetic)
        t.append((node, SKG.member, person))
    for ref in r.organizations:
        t.append((node, SKG.teamOrganization, t.org(ref)))
    t.synthetic(node, r.synthetic)
    return node


def _output(entry: ox.NamedNode, source: str, o: Output, synthetic: bool, t: _Triples) -> None:
    node = record_iri("output", source, o.local_id)
    t.label(node, SKG.Output, o.title, o.local_id)
    t.append((node, RDF_.type, WORK_CLASSES[o.kind]))
    t.typed(node, SKG.publicationYear, o.year, XSD_.integer)
    t.text(node, SKG.doi, o.doi)
    t.iri(node, FOAF_.homepage, o.url)
    for ref in o.made_with:
        t.append((node, SKG.madeWith, ref_iri(ref)))
    t.synthetic(node, synthetic)
    t.append((entry, SKG.output, node))


def _entry(r: Entry, t: _Triples) -> ox.NamedNode:
    source = r.origin.source
    node = record_iri("entry", source, r.local_id)
    t.label(node, SKG.Entry, r.title, r.local_id)
    t.append((node, SKG.inTrack, record_iri("track", source, r.track)))
    if r.topic:
        t.append((node, SKG.answersTopic, record_iri("topic", source, r.topic)))
    t.append((node, SKG.submittedBy, record_iri("team", source, r.team)))
    project = record_iri("project", source, r.local_id)
    need = record_iri("need", source, r.local_id)
    t.label(project, SKG.Project, r.title, r.local_id)
    t.append((project, SKG.statesNeed, need))
    t.append((need, RDF_.type, SKG.Need))
    t.text(need, SKG.needText, r.need)
    t.append((node, SKG.project, project))
    for ref in r.matched:
        t.append((node, SKG.matchedResource, ref_iri(ref)))
    for ref in r.mentors:
        t.append((node, SKG.mentor, ref_iri(ref)))
    for output in r.outputs:
        _output(node, source, output, r.synthetic, t)
    for part in (node, project, need):
        t.synthetic(part, r.synthetic)
    return node


_MAPPERS: dict[type, Callable[[Any, _Triples], ox.NamedNode]] = {
    Organization: _organization,
    Grant: _grant,
    Expert: _expert,
    Facility: _facility,
    Instrument: _instrument,
    Dataset: _dataset,
    Subject: _subject,
    UsageRecord: _usage,
    Capacity: _capacity,
    Contest: _contest,
    ChallengeTopic: _topic,
    Team: _team,
    Entry: _entry,
}
