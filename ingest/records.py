"""Typed records: what every reader yields and what the mapping turns into RDF.

Readers own parsing and type coercion (a bad value becomes a ``RecordError`` naming the field);
records hold clean Python values only. References between records are by *key*:

- organisations by name (``OrgRef``): the IRI is minted from the normalised name, so the same
  institution arriving from two sources is one node;
- people, instruments, facilities by the local id the source gives them (same source);
- grants by funder and award number (``GrantRef``), which several sources share;
- subjects by IRI (``SubjectRef``), when a record is tagged with a concept of a scheme;
- records of *another* source (the instrument a booking used, the expert who mentored an entry) by
  ``RecordRef`` (kind, source and local id: the mapping mints the IRI that source's own mapping minted)
  or by ``IriRef`` (the sharekg IRI itself).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a record came from: the source name, the 1-based line (or row) and the source's id."""

    source: str
    line: int
    record_id: str


@dataclass(frozen=True, slots=True)
class OrgRef:
    """An organisation by name; ``parent`` names the organisation it is part of (a department's university)."""

    name: str
    parent: OrgRef | None = None


@dataclass(frozen=True, slots=True)
class GrantRef:
    funder: str  # short funder key, e.g. "nsf"
    award_id: str


@dataclass(frozen=True, slots=True)
class Place:
    city: str | None = None
    region: str | None = None  # state, province
    country: str | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    """How to reach whoever grants access: a user office, a departmental address."""

    email: str | None = None
    phone: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Organization:
    origin: Origin
    name: str
    parent: OrgRef | None = None
    place: Place = field(default_factory=Place)
    homepage: str | None = None
    ror: str | None = None
    kind: str | None = None  # free text, e.g. "university", "department", "light source"


@dataclass(frozen=True, slots=True)
class Grant:
    """A funding award (e.g. an NSF award) with its text; links instruments and investigators."""

    origin: Origin
    ref: GrantRef
    title: str
    abstract: str | None = None
    start: date | None = None
    end: date | None = None
    amount_usd: int | None = None
    url: str | None = None
    programme: tuple[str, ...] = ()  # funder programmes / divisions, as text


@dataclass(frozen=True, slots=True)
class Work:
    """A publication or other output of an expert (title, abstract, year, DOI)."""

    local_id: str
    title: str
    abstract: str | None = None
    year: int | None = None
    doi: str | None = None
    kind: str = "paper"  # paper, dataset, software, patent, … (schema of Output subclasses)
    venue: str | None = None
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Role:
    """A person's role on a grant: ``PI`` or ``co-PI``."""

    grant: GrantRef
    role: str


@dataclass(frozen=True, slots=True)
class Expert:
    origin: Origin
    local_id: str
    name: str
    alt_names: tuple[str, ...] = ()
    affiliations: tuple[OrgRef, ...] = ()
    place: Place = field(default_factory=Place)
    orcid: str | None = None
    external_ids: tuple[str, ...] = ()  # e.g. "nsf-person:000455731", "openalex:A5000180362"
    keywords: tuple[str, ...] = ()  # topics, research areas
    subjects: tuple[str, ...] = ()  # subject IRIs
    roles: tuple[Role, ...] = ()
    works: tuple[Work, ...] = ()


@dataclass(frozen=True, slots=True)
class Facility:
    origin: Origin
    local_id: str
    name: str
    alt_names: tuple[str, ...] = ()
    description: str | None = None
    kind: str | None = None  # e.g. "synchrotron", "free-electron laser", "core facility"
    operator: OrgRef | None = None
    place: Place = field(default_factory=Place)
    homepage: str | None = None
    contact: Contact = field(default_factory=Contact)
    active: bool | None = None
    access: str | None = None
    cstr: str | None = None  # China's science and technology resource identifier (GB/T 32843): "CSTR:…"
    language: str | None = None  # BCP 47 tag of the record's text (name, description, …), e.g. "zh"; None: untagged


@dataclass(frozen=True, slots=True)
class Instrument:
    origin: Origin
    local_id: str
    name: str
    description: str | None = None
    instrument_type: str | None = None  # free text (e.g. "beamline", "NMR spectrometer")
    techniques: tuple[str, ...] = ()  # technique / purpose text
    keywords: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()  # subject IRIs
    organization: OrgRef | None = None
    facility: str | None = None  # local id of a Facility of the same source
    place: Place = field(default_factory=Place)
    contact: Contact = field(default_factory=Contact)
    contacts: tuple[str, ...] = ()  # local ids of Experts of the same source who can be asked about it
    homepage: str | None = None
    status: str | None = None
    access: str | None = None  # access terms, service level
    grant: GrantRef | None = None
    specs: tuple[tuple[str, str], ...] = ()  # (name, value) pairs such as ("energy range (keV)", "2.5 - 17")
    cstr: str | None = None  # China's science and technology resource identifier (GB/T 32843): "CSTR:…"
    language: str | None = None  # BCP 47 tag of the record's text (name, description, …), e.g. "zh"; None: untagged


@dataclass(frozen=True, slots=True)
class Dataset:
    origin: Origin
    local_id: str
    title: str
    description: str | None = None
    alt_names: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()  # subject (theme) IRIs
    landing_page: str | None = None
    publisher: OrgRef | None = None
    license: str | None = None
    issued: date | None = None
    source_paper_title: str | None = None
    contact: Contact = field(default_factory=Contact)
    cstr: str | None = None  # China's science and technology resource identifier (GB/T 32843): "CSTR:…"
    language: str | None = None  # BCP 47 tag of the record's text (title, description, …), e.g. "zh"; None: untagged


@dataclass(frozen=True, slots=True)
class Subject:
    """A concept of a subject, technique or instrument-type scheme (SKOS)."""

    origin: Origin
    iri: str
    label: str
    scheme: str  # scheme IRI
    scheme_label: str | None = None
    notation: str | None = None
    alt_labels: tuple[str, ...] = ()
    definition: str | None = None
    broader: tuple[str, ...] = ()  # IRIs


@dataclass(frozen=True, slots=True)
class RecordRef:
    """A record of any source by its key: ``kind`` is the IRI's type segment (``instrument``, ``facility``,
    ``dataset``, ``expert``, ``team``, ``entry``, ``person``), ``source`` the source it was ingested as."""

    kind: str
    source: str
    local_id: str


@dataclass(frozen=True, slots=True)
class IriRef:
    """A record named by its sharekg IRI (``https://w3id.org/sharekg/id/...``)."""

    iri: str


Ref = RecordRef | IriRef


@dataclass(frozen=True, slots=True)
class UsageRecord:
    """One booking or use of a shared resource, as a booking system (PPMS, iLab, NEMO, QReserve) exports it.

    The user is the team, else the person, else the organisation; ``organization`` is kept beside a team or a
    person too (the group or institute the booking was billed to). ``status`` is ``completed``, ``no-show``,
    ``cancelled`` or ``booked``; ``entry`` is the contest entry the use served, when known."""

    origin: Origin
    local_id: str
    resource: Ref
    start: datetime
    end: datetime | None = None
    hours_booked: Decimal | None = None
    hours_used: Decimal | None = None
    status: str | None = None
    organization: OrgRef | None = None
    team: Ref | None = None
    person: Ref | None = None
    entry: Ref | None = None
    synthetic: bool = False


@dataclass(frozen=True, slots=True)
class Capacity:
    """How many hours a year a resource can be booked (``skg:capacityHoursPerYear``), set by its centre."""

    origin: Origin
    resource: Ref
    hours_per_year: Decimal


@dataclass(frozen=True, slots=True)
class Track:
    local_id: str
    name: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Contest:
    """One edition of an innovation contest (a Sharing Cup) with its tracks."""

    origin: Origin
    local_id: str
    name: str
    tracks: tuple[Track, ...]
    description: str | None = None
    start: date | None = None
    end: date | None = None
    organizer: OrgRef | None = None
    homepage: str | None = None
    synthetic: bool = False


@dataclass(frozen=True, slots=True)
class ChallengeTopic:
    """A topic a platform or resource centre posts for teams to take up."""

    origin: Origin
    local_id: str
    title: str
    text: str
    posted_by: OrgRef
    contest: str | None = None  # local id of a Contest of the same source
    subjects: tuple[str, ...] = ()  # subject IRIs
    keywords: tuple[str, ...] = ()
    synthetic: bool = False


@dataclass(frozen=True, slots=True)
class Member:
    """A team member, known to this source only by the id and name it gives."""

    local_id: str
    name: str


@dataclass(frozen=True, slots=True)
class Team:
    origin: Origin
    local_id: str
    name: str
    members: tuple[Member, ...] = ()
    organizations: tuple[OrgRef, ...] = ()
    synthetic: bool = False


@dataclass(frozen=True, slots=True)
class Output:
    """Something an entry produced (paper, software, patent, award, start-up, dataset) and what it was made with."""

    local_id: str
    title: str
    kind: str  # a key of ingest.mapping.WORK_CLASSES
    year: int | None = None
    doi: str | None = None
    url: str | None = None
    made_with: tuple[Ref, ...] = ()


@dataclass(frozen=True, slots=True)
class Entry:
    """A team's entry in a track: its project and the need it states, the resources matched to it, its mentors
    and its outputs. ``track``, ``topic`` and ``team`` are local ids of the same source."""

    origin: Origin
    local_id: str
    title: str
    track: str
    team: str
    need: str
    topic: str | None = None
    matched: tuple[Ref, ...] = ()
    mentors: tuple[Ref, ...] = ()
    outputs: tuple[Output, ...] = ()
    synthetic: bool = False


Record = (
    Organization
    | Grant
    | Expert
    | Facility
    | Instrument
    | Dataset
    | Subject
    | UsageRecord
    | Capacity
    | Contest
    | ChallengeTopic
    | Team
    | Entry
)

__all__ = [
    "Capacity",
    "ChallengeTopic",
    "Contact",
    "Contest",
    "Dataset",
    "Entry",
    "Expert",
    "Facility",
    "Grant",
    "GrantRef",
    "Instrument",
    "IriRef",
    "Member",
    "OrgRef",
    "Organization",
    "Origin",
    "Output",
    "Place",
    "Record",
    "RecordRef",
    "Ref",
    "Role",
    "Subject",
    "Team",
    "Track",
    "UsageRecord",
    "Work",
]
