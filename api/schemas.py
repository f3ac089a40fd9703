"""The shapes of requests and answers of the HTTP API (pydantic): validated at the edge, documented in OpenAPI.

Library results (``graph.search.matcher`` dataclasses) are converted here, so the wire format is stated in one place.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StringConstraints

from graph.search import JOINED_BONUS, MAX_K, MAX_NEED_CHARS, MAX_UNKNOWN_WORDS

ResourceType = Literal["Instrument", "Facility", "Dataset", "Expert"]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MatchFilters(_Strict):
    """Constraints applied before ranking; text compares case-insensitively. An unknown value is an error."""

    organization: ShortText | None = Field(None, description="Organisation name or IRI; units under it count too.")
    country: ShortText | None = None
    region: ShortText | None = Field(None, description="Region or state.")
    city: ShortText | None = None
    access: ShortText | None = Field(None, description="Words that must all appear in the access terms.")


class TeamContext(_Strict):
    """Where the team is (resources nearby rank a little higher) and who it is: the name, organisation and contact
    are kept in the demand log, so a resource centre can reach the team, only with ``consent_to_log``; without it the
    need is logged anonymously (docs/security.md)."""

    organization: ShortText | None = None
    region: ShortText | None = None
    country: ShortText | None = None
    name: ShortText | None = Field(None, description="Team name, stored with the logged need only if given.")
    contact: ShortText | None = Field(None, description="Contact e-mail, stored with the logged need only if given.")
    consent_to_log: StrictBool = Field(
        False, description="Store the team's name, organisation and contact with the logged need (default: not)."
    )


class MatchRequest(_Strict):
    text: str = Field(
        ...,
        min_length=1,
        max_length=MAX_NEED_CHARS,
        description=f"The need in free text: a title, an abstract, a pitch (at most {MAX_NEED_CHARS:,} characters).",
        examples=["We want to study magnetic thin films with X-ray magnetic circular dichroism."],
    )
    types: list[ResourceType] = Field(default_factory=list, description="Resource types to return; default all.")
    filters: MatchFilters = Field(default_factory=MatchFilters)
    team: TeamContext | None = None
    k: StrictInt = Field(5, ge=1, le=MAX_K, description='Results per type (a whole number: true or "5" is refused).')
    lang: str | None = Field(
        None, max_length=35, description="Language to show labels in (zh, en); overrides Accept-Language."
    )


class BundleRequest(_Strict):
    text: str = Field(..., min_length=1, max_length=MAX_NEED_CHARS)
    filters: MatchFilters = Field(default_factory=MatchFilters)
    team: TeamContext | None = None
    k: StrictInt = Field(3, ge=1, le=20, description="Bundles to return.")


class PathStepOut(BaseModel):
    relation: str
    iri: str | None
    id: str | None = Field(None, description="The resource id for /resources/{id}, when the step is a resource.")
    label: str
    type: str


class SubjectOut(BaseModel):
    iri: str
    label: str
    scheme: str = ""


class ReasonOut(BaseModel):
    kind: Literal["graph", "central", "named", "feedback", "left_out"] = Field(
        ...,
        description="graph: evidence along a link of the graph; central: among its kind's nearest to many; named: "
        "other records name it; feedback: terms shared with the need's nearest resources; left_out: results of the "
        "same award or organisation left out for a varied list.",
    )
    text: str = Field(..., description="The reason in English, as the summary gives it.")
    relation: str = Field("", description="graph: the link (narrower concept, instrument at this facility, ...).")
    label: str = Field("", description="graph: what the evidence came from.")
    count: int = Field(
        0,
        description="central: others that have it among their nearest; named: records naming it; "
        "left_out: results left out.",
    )
    nearest: int = Field(0, description="central: the nearest neighbours per resource it is counted among.")
    names: list[str] = Field(default_factory=list, description="named: the first few records that name it.")


class ExplanationOut(BaseModel):
    summary: str
    matched_terms: list[str]
    matched_sentences: list[tuple[str, float]]
    shared_subjects: list[dict[str, str]]
    path: list[PathStepOut]
    signals: dict[str, float]
    evidence: list[str] = Field(default_factory=list, description="What else speaks for it: the graph's evidence.")
    reasons: list[ReasonOut] = Field(
        default_factory=list, description="The same as data, for a page to say in its reader's language."
    )
    works: list[tuple[str, int, float]] = Field(
        default_factory=list,
        description="An expert's works closest to the need: title, year (0: unknown), similarity (the best of its "
        "cosine with the whole need and with the need's closest sentence).",
    )
    glossary: list[dict[str, object]] = Field(
        default_factory=list, description="For a need in Chinese: each word found and the English terms it matched."
    )


class MatchResultOut(BaseModel):
    id: str
    iri: str
    type: str
    label: str
    score: float = Field(
        ...,
        description="What the list is ordered by: the fit times the re-ranking factors (availability, closeness to the "
        "team; explanation.signals.factor). Not a probability: read fit and band.",
    )
    organization: str
    place: str
    access: str
    homepage: str
    explanation: ExplanationOut
    fit: float = Field(..., ge=0, le=1, description="The calibrated chance that it fits the need (0 to 1).")
    band: str = Field(..., description="strong, good or weak: the fit in words.")


class MatchResponseOut(BaseModel):
    need: str
    need_id: int | None = Field(
        ..., description="Id of this request in the demand log; null when it was not logged (header X-Demand-Log)."
    )
    need_subjects: list[dict[str, str]]
    results: dict[str, list[MatchResultOut]]
    notes: dict[str, str] = Field(
        default_factory=dict, description="Per type, when nothing in it fits the need well (its closest are weak)."
    )
    unknown_words: list[str] = Field(
        default_factory=list,
        description="The need's Chinese words that the glossary lacks and read character by character (钙钛矿 as "
        f"'calcium titanium ore'), the first {MAX_UNKNOWN_WORDS} in the need's order; writing the English term "
        "beside one reads the need better.",
        max_length=MAX_UNKNOWN_WORDS,
    )


class BundleMemberOut(BaseModel):
    role: str
    id: str
    iri: str
    label: str
    similarity: float = Field(
        ...,
        description="Its similarity to the need by its own text, as /match reads it: the best of its cosine with the "
        "need and with the need's closest sentence; an expert's, their works'.",
    )
    relation: str
    fit: float = Field(0.0, description="Its fit to the need; 0 for a member the graph joins without matching.")
    band: str | None = Field(
        None, description="strong, good or weak: its fit in words; none for a member the graph joins without matching."
    )


class BundleOut(BaseModel):
    fit: float = Field(..., ge=0, le=1, description="The mean fit of the members that match the need.")
    score: float = Field(
        ..., description=f"What bundles are ordered by: their fit, plus {JOINED_BONUS} for each member the graph joins."
    )
    members: list[BundleMemberOut]
    path: list[PathStepOut]


class BundlesOut(BaseModel):
    need: str
    bundles: list[BundleOut]


class NeedMatchOut(BaseModel):
    need_id: str
    text: str
    similarity: float  # the need's cosine with the resource
    matched_terms: list[str]
    #: how far the resource stands out for the need among its kind (what the needs are ordered by): its cosine less
    #: the need's mean cosine with the resources of the kind, plus the terms they share (Matcher.standout)
    standout: float


class ReverseMatchOut(BaseModel):
    id: str
    iri: str
    label: str
    needs: list[NeedMatchOut]


class FacetValue(BaseModel):
    value: str
    label: str
    count: int


class ResourceSummary(BaseModel):
    id: str
    iri: str
    type: str
    label: str
    description: str
    organization: str
    place: str
    score: float | None = Field(None, description="Text-search score when q was given.")


class ResourcePage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[ResourceSummary]
    facets: dict[str, list[FacetValue]]


class TermOut(BaseModel):
    """One RDF value: an IRI (with its label and resource id when known) or a literal (with language/datatype)."""

    value: str
    iri: bool
    label: str | None = None
    id: str | None = None
    lang: str | None = None
    datatype: str | None = None


class PropertyOut(BaseModel):
    predicate: str
    label: str
    values: list[TermOut]


class AccessOut(BaseModel):
    """Where the resource is and how to get to use it."""

    terms: str
    organization: str
    place: str
    homepage: str
    contact_email: str
    contacts: list[TermOut]
    facility: list[TermOut]


class ResourceOut(BaseModel):
    id: str
    iri: str
    type: str
    types: list[str]
    label: str
    description: str
    access: AccessOut | None
    properties: list[PropertyOut]
    incoming: list[PropertyOut]
    links: dict[str, str]


class IngestOut(BaseModel):
    source: str
    status: str
    read: int
    loaded: int
    rejected: int
    warnings: int
    triples: int
    problems: list[dict[str, object]] = Field(..., description="The first rejected records and warnings.")
    index: str = Field(..., description="What happened to the search index: refreshing, up to date, or skipped.")
    message: str = Field("", description="Why a run was not loaded (e.g. rejected-strict), or that it was unchanged.")


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    store: str
    sources: int
    resources: int
    model: str
    encoder: str = Field(..., description="What encodes needs: onnx (ONNX Runtime), torch, or the embedder's class.")
    index_current: bool
    version: str


class NodeOut(BaseModel):
    iri: str
    id: str
    label: str
    type: str


class EdgeOut(BaseModel):
    source: str
    target: str
    predicate: str
    label: str


class NeighbourhoodOut(BaseModel):
    center: str
    nodes: list[NodeOut]
    edges: list[EdgeOut]
    truncated: bool
