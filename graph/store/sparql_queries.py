"""Every SPARQL query and update the graph's modules run, as named constants (the Cypher ones are in
``graph.store.cypher_queries``), each declaring its prefixes through the one ``PREFIXES`` block.

Placeholders in braces (``{entry}``, ``{iris}``, ``{scope}``; ``$types`` and ``$predicates`` in the network's)
are filled by the caller with ``str.replace``, IRIs always through ``graph.store.iri_ref``, so no text from input
reaches a query unchecked. A constant's comment says what it reads and what each placeholder takes. Modules
import this one whole: ``from graph.store import sparql_queries as q``.
"""

from __future__ import annotations

from graph.store.protocol import CATALOGUE_GRAPH
from graph.store.sparql import PREFIXES

# ---- the store's catalogue (graph.store.oxigraph_store) -----------------------------------------------------

#: The current graph and input checksum of every source, from the catalogue graph.
CATALOGUE_QUERY = (
    PREFIXES
    + f"""SELECT ?name ?graph ?checksum WHERE {{
  GRAPH {CATALOGUE_GRAPH} {{
    ?source skg:sourceName ?name ; skg:currentGraph ?graph ; skg:inputChecksum ?checksum
  }}
}}"""
)
#: Points a source at its new graph in one update; ``?source``, ``?name``, ``?graph`` and ``?checksum`` are
#: replaced by N-Triples terms.
FLIP_UPDATE = (
    PREFIXES
    + f"""DELETE WHERE {{ GRAPH {CATALOGUE_GRAPH} {{ ?source ?p ?o }} }} ;
INSERT DATA {{ GRAPH {CATALOGUE_GRAPH} {{
  ?source a skg:Source ; skg:sourceName ?name ; skg:currentGraph ?graph ; skg:inputChecksum ?checksum
}} }}"""
)
#: Drops a source from the catalogue; ``?source`` is replaced by its IRI.
REMOVE_UPDATE = f"DELETE WHERE {{ GRAPH {CATALOGUE_GRAPH} {{ ?source ?p ?o }} }}"
#: Triples in the default graph the query is given (one staged graph).
GRAPH_SIZE_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
#: Typed subjects per named graph and type, largest first.
COUNT_BY_TYPE_QUERY = """SELECT ?graph ?type (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?graph { ?s a ?type } }
GROUP BY ?graph ?type ORDER BY ?graph DESC(?n)"""

# ---- resource documents and the search index (graph.search) -------------------------------------------------

#: Every statement about the subjects of one type; ``?type`` is replaced by the class IRI.
DOCUMENT_PROPERTIES_QUERY = "SELECT ?s ?p ?o WHERE { ?s a ?type ; ?p ?o }"
#: Every label in the graph.
DOCUMENT_LABELS_QUERY = PREFIXES + "SELECT ?s ?l WHERE { ?s rdfs:label ?l }"
#: Subject and object of one predicate; ``?p `` is replaced by the predicate's IRI.
DOCUMENT_EDGES_QUERY = "SELECT ?s ?o WHERE { ?s ?p ?o }"
#: Every subject concept with its preferred label, its scheme and the scheme's label.
SUBJECTS_QUERY = (
    PREFIXES
    + """SELECT ?s ?label ?scheme ?schemeLabel WHERE {
  ?s a skg:Subject ; skos:prefLabel ?label ; skos:inScheme ?scheme .
  OPTIONAL { ?scheme rdfs:label ?schemeLabel }
}"""
)

# ---- usage records (graph.centre: utilisation and impact) ---------------------------------------------------

#: Usage records and what each states, one row per user and entry it names; ``{records}`` says which records:
#: ``EVERY_USAGE_RECORD`` or ``ENTRY_USAGE_RECORDS``.
USAGE_RECORDS_QUERY = (
    PREFIXES
    + """SELECT ?usage ?resource ?user ?forEntry ?start ?end ?booked ?used ?status WHERE {
  {records}
  ?usage a skg:UsageRecord ; skg:usedResource ?resource .
  OPTIONAL { ?usage skg:user ?user }
  OPTIONAL { ?usage skg:forEntry ?forEntry }
  OPTIONAL { ?usage prov:startedAtTime ?start }
  OPTIONAL { ?usage prov:endedAtTime ?end }
  OPTIONAL { ?usage skg:hoursBooked ?booked }
  OPTIONAL { ?usage skg:hoursUsed ?used }
  OPTIONAL { ?usage skg:usageStatus ?status }
}"""
)
#: ``{records}`` for every usage record of the store.
EVERY_USAGE_RECORD = ""
#: ``{records}`` for those that name the entry ``{entry}``, or whose user is one of ``{people}`` (a VALUES list: the
#: entry's team and its members); the caller keeps the team's records of resources the entry was matched to.
ENTRY_USAGE_RECORDS = "{ ?usage skg:forEntry {entry} } UNION { VALUES ?who { {people} } ?usage skg:user ?who }"

# ---- utilisation (graph.centre.utilisation) ------------------------------------------------------------------

#: Instruments and facilities with label, host organisation and stated capacity; ``{scope}`` is ``ASSET_SCOPE``
#: to narrow them to one centre, else empty.
ASSETS_QUERY = (
    PREFIXES
    + """SELECT ?r ?type ?label ?org ?orgLabel ?capacity WHERE {
  VALUES ?type { skg:Instrument skg:Facility }
  ?r a ?type .
  {scope}
  OPTIONAL { ?r rdfs:label ?label }
  OPTIONAL { ?r skg:hostedBy|skg:atFacility/skg:hostedBy ?org . OPTIONAL { ?org rdfs:label ?orgLabel } }
  OPTIONAL { ?r skg:capacityHoursPerYear ?capacity }
}"""
)
#: Assets hosted by ``{organization}`` (an IRI) or a unit under it.
ASSET_SCOPE = "?r (skg:hostedBy|skg:atFacility/skg:hostedBy)/org:subOrganizationOf* {organization} ."

# ---- impact (graph.centre.impact) ----------------------------------------------------------------------------

#: Outputs of ``{resource}`` by each path: ?kind names the path, ?entry, ?usage and ?user are bound where it has
#: them.
IMPACT_QUERY = (
    PREFIXES
    + """SELECT ?kind ?output ?entry ?usage ?user WHERE {
  {
    ?output skg:madeWith {resource} . BIND("made with" AS ?kind)
  } UNION {
    ?usage a skg:UsageRecord ; skg:usedResource {resource} ; skg:forEntry ?entry .
    ?entry skg:output ?output . BIND("used for the entry" AS ?kind)
  } UNION {
    ?usage a skg:UsageRecord ; skg:usedResource {resource} ; skg:user ?user .
    { ?entry skg:submittedBy ?user } UNION { ?entry skg:submittedBy/skg:member ?user }
    ?entry skg:output ?output . BIND("team used the resource" AS ?kind)
  } UNION {
    ?entry skg:matchedResource {resource} ; skg:output ?output . BIND("matched to the entry" AS ?kind)
  }
}"""
)
#: Label, skg: types and year of the nodes ``{nodes}`` (a VALUES list).
NODE_DETAILS_QUERY = (
    PREFIXES
    + """SELECT ?node ?label ?type ?year WHERE {
  VALUES ?node { {nodes} }
  OPTIONAL { ?node rdfs:label ?label }
  OPTIONAL { ?node a ?type . FILTER(STRSTARTS(STR(?type), STR(skg:))) }
  OPTIONAL { ?node skg:publicationYear ?year }
}"""
)
#: The team of ``{entry}``, its members, and the resources the entry was matched to.
ENTRY_TEAM_AND_MATCHES_QUERY = (
    PREFIXES
    + """SELECT ?team ?member ?matched WHERE {
  OPTIONAL { {entry} skg:submittedBy ?team . OPTIONAL { ?team skg:member ?member } }
  OPTIONAL { {entry} skg:matchedResource ?matched }
}"""
)

# ---- contests (graph.contest.contests) -----------------------------------------------------------------------

#: Every contest with its dates and tracks, newest first.
CONTESTS_QUERY = (
    PREFIXES
    + """SELECT ?contest ?label ?start ?end ?track ?trackLabel WHERE {
  ?contest a skg:Contest ; rdfs:label ?label .
  OPTIONAL { ?contest skg:startDate ?start } OPTIONAL { ?contest skg:endDate ?end }
  OPTIONAL { ?contest skg:track ?track . OPTIONAL { ?track rdfs:label ?trackLabel } }
} ORDER BY DESC(?start) ?label ?trackLabel"""
)
#: The challenge topics of ``{contest}`` with who posted them.
CONTEST_TOPICS_QUERY = (
    PREFIXES
    + """SELECT ?topic ?label ?text ?org ?orgLabel WHERE {
  ?topic a skg:ChallengeTopic ; dcterms:isPartOf {contest} .
  OPTIONAL { ?topic rdfs:label ?label } OPTIONAL { ?topic dcterms:description ?text }
  OPTIONAL { ?topic skg:postedBy ?org . OPTIONAL { ?org rdfs:label ?orgLabel } }
} ORDER BY ?label"""
)
#: The entries in the tracks of ``{contest}`` with their topic and team.
CONTEST_ENTRIES_QUERY = (
    PREFIXES
    + """SELECT ?entry ?label ?track ?topic ?team ?teamLabel WHERE {
  ?entry a skg:Entry ; skg:inTrack ?track . {contest} skg:track ?track .
  OPTIONAL { ?entry rdfs:label ?label } OPTIONAL { ?entry skg:answersTopic ?topic }
  OPTIONAL { ?entry skg:submittedBy ?team . OPTIONAL { ?team rdfs:label ?teamLabel } }
} ORDER BY ?label"""
)
#: What ``{entry}`` states, its need, its team's members and organisation, each with a label where it has one.
ENTRY_DETAILS_QUERY = (
    PREFIXES
    + """SELECT ?p ?o ?label WHERE {
  {entry} a skg:Entry .
  {
    {entry} ?p ?o . FILTER(?p IN (rdfs:label, skg:inTrack, skg:answersTopic, skg:submittedBy, skg:matchedResource,
                                   skg:mentor, skg:output))
  } UNION {
    {entry} skg:project/skg:statesNeed/skg:needText ?o . BIND(skg:needText AS ?p)
  } UNION {
    {entry} skg:submittedBy/skg:member ?o . BIND(skg:member AS ?p)
  } UNION {
    {entry} skg:submittedBy/skg:teamOrganization ?o . BIND(skg:teamOrganization AS ?p)
  }
  OPTIONAL { ?o rdfs:label|foaf:name ?label }
}"""
)
#: Every entry's need text (project → need → text).
STATED_NEEDS_QUERY = (
    PREFIXES
    + """SELECT ?entry ?text WHERE {
  ?entry a skg:Entry ; skg:project/skg:statesNeed/skg:needText ?text } ORDER BY ?entry"""
)

# ---- mentors (graph.contest.mentors); ``{iris}`` is a VALUES list ----------------------------------------------

#: The team of ``{entry}`` and the entry's need text (project → need → text).
ENTRY_TEAM_AND_NEED_QUERY = (
    PREFIXES
    + """SELECT ?team ?text WHERE {
  OPTIONAL { {entry} skg:submittedBy ?team }
  OPTIONAL { {entry} skg:project/skg:statesNeed/skg:needText ?text }
}"""
)
#: Every IRI linked to the given ones by owl:sameAs, either way, any number of hops (the given ones included).
SAME_AS_CLOSURE_QUERY = PREFIXES + "SELECT ?x ?y WHERE { VALUES ?x { {iris} } ?x (owl:sameAs|^owl:sameAs)* ?y }"
#: Organisations of the given people or teams, every organisation above each with its parents, and labels.
ORGANISATIONS_ABOVE_QUERY = (
    PREFIXES
    + """SELECT ?who ?org ?up ?parent ?label WHERE {
  VALUES ?who { {iris} }
  ?who skg:affiliation|org:memberOf|skg:teamOrganization ?org .
  ?org org:subOrganizationOf* ?up .
  OPTIONAL { ?up org:subOrganizationOf ?parent }
  OPTIONAL { ?up rdfs:label ?label }
}"""
)
#: Whether ``{team}`` is a team of the graph.
TEAM_EXISTS_QUERY = PREFIXES + "ASK { {team} a skg:Team }"
#: The members of ``{team}`` with their names.
TEAM_MEMBERS_QUERY = (
    PREFIXES
    + """SELECT ?member ?name WHERE {
  {team} skg:member ?member .
  OPTIONAL { ?member rdfs:label|foaf:name ?name }
}"""
)
#: Outputs authored by the given people, with their titles.
AUTHORED_OUTPUTS_QUERY = (
    PREFIXES
    + """SELECT ?who ?output ?title WHERE {
  VALUES ?who { {iris} }
  { ?who skg:authored ?output } UNION { ?output dcterms:creator ?who }
  OPTIONAL { ?output rdfs:label ?title }
}"""
)
#: Entries each of the given people mentors.
MENTORED_QUERY = PREFIXES + "SELECT ?who ?entry WHERE { VALUES ?who { {iris} } ?entry skg:mentor ?who }"

# ---- the network (graph.analytics.network) -------------------------------------------------------------------

#: Over the ontology: each sharekg class with the number of sharekg classes above it.
ONTOLOGY_CLASSES_QUERY = (
    PREFIXES
    + """SELECT ?class (COUNT(DISTINCT ?super) AS ?depth) WHERE {
  ?class a owl:Class FILTER(STRSTARTS(STR(?class), STR(skg:)))
  OPTIONAL { ?class rdfs:subClassOf+ ?super FILTER(STRSTARTS(STR(?super), STR(skg:))) }
} GROUP BY ?class"""
)
#: Over the ontology: every sharekg object property.
ONTOLOGY_PROPERTIES_QUERY = (
    PREFIXES + "SELECT ?property WHERE { ?property a owl:ObjectProperty FILTER(STRSTARTS(STR(?property), STR(skg:))) }"
)
#: Nodes of the types ``$types`` (IRIs) per named graph.
NETWORK_NODES_QUERY = "SELECT ?graph ?node ?type WHERE { VALUES ?type { $types } GRAPH ?graph { ?node a ?type } }"
#: Every label in the graph.
NETWORK_LABELS_QUERY = PREFIXES + "SELECT ?node ?label WHERE { ?node rdfs:label ?label }"
#: Every statement of the predicates ``$predicates`` (IRIs) whose object is an IRI.
NETWORK_EDGES_QUERY = "SELECT ?s ?p ?o WHERE { VALUES ?p { $predicates } ?s ?p ?o FILTER(isIRI(?o)) }"
#: Keywords and subject labels of every node: the topics a community is named by.
NETWORK_TOPICS_QUERY = (
    PREFIXES
    + """SELECT ?node ?topic WHERE {
  { ?node skg:keyword ?topic } UNION { ?node dcterms:subject/rdfs:label ?topic }
}"""
)

# ---- adaptation (graph.evaluation.adaptation) ----------------------------------------------------------------

#: A short title-like line and a longer description of the same resource, for self-supervised training.
ADAPTATION_PAIRS_QUERY = (
    PREFIXES
    + """SELECT ?title ?text WHERE {
  { ?r a skg:Dataset ; skg:sourcePaperTitle ?title ; dcterms:description ?text }
  UNION { ?r a skg:Instrument ; rdfs:label ?title ; dcterms:description ?text }
  UNION { ?r a skg:Facility ; rdfs:label ?title ; dcterms:description ?text }
  UNION { ?r a skg:Grant ; rdfs:label ?title ; dcterms:abstract ?text }
  UNION { ?r a skg:Output ; rdfs:label ?title ; dcterms:abstract ?text }
}"""
)

# ---- entity linking (ingest.linking) -------------------------------------------------------------------------

#: Every expert's normalised name.
LINK_PEOPLE_QUERY = PREFIXES + "SELECT ?person ?name WHERE { ?person a skg:Expert ; skg:normalizedName ?name }"
#: Experts with the key of each rule: their ORCID, a grant they hold, an affiliation.
LINK_ORCID_QUERY = PREFIXES + "SELECT ?person ?key WHERE { ?person a skg:Expert ; skg:orcid ?key }"
LINK_GRANT_QUERY = (
    PREFIXES
    + """SELECT ?person ?key WHERE {
  ?person a skg:Expert . ?key skg:principalInvestigator|skg:coPrincipalInvestigator ?person
}"""
)
LINK_AFFILIATION_QUERY = PREFIXES + "SELECT ?person ?key WHERE { ?person a skg:Expert ; skg:affiliation ?key }"
#: Organisations that more than one source's graph names.
SHARED_ORGS_QUERY = (
    PREFIXES
    + """SELECT (COUNT(*) AS ?n) WHERE {
  { SELECT ?org WHERE { GRAPH ?g { ?org a skg:Organization } } GROUP BY ?org HAVING (COUNT(DISTINCT ?g) > 1) }
}"""
)
#: Entities per resource type over all sources (a shared IRI once).
DISTINCT_ENTITIES_QUERY = (
    PREFIXES
    + """SELECT ?type (COUNT(DISTINCT ?s) AS ?n) WHERE {
  VALUES ?type {
    skg:Instrument skg:Facility skg:Dataset skg:Expert skg:Organization skg:Subject skg:Grant skg:Output
  }
  ?s a ?type .
} GROUP BY ?type ORDER BY DESC(?n)"""
)
#: Every owl:sameAs link.
SAME_AS_QUERY = PREFIXES + "SELECT ?a ?b WHERE { ?a owl:sameAs ?b }"

__all__ = [
    "ADAPTATION_PAIRS_QUERY",
    "ASSETS_QUERY",
    "ASSET_SCOPE",
    "AUTHORED_OUTPUTS_QUERY",
    "CATALOGUE_QUERY",
    "CONTESTS_QUERY",
    "CONTEST_ENTRIES_QUERY",
    "CONTEST_TOPICS_QUERY",
    "COUNT_BY_TYPE_QUERY",
    "DISTINCT_ENTITIES_QUERY",
    "DOCUMENT_EDGES_QUERY",
    "DOCUMENT_LABELS_QUERY",
    "DOCUMENT_PROPERTIES_QUERY",
    "ENTRY_DETAILS_QUERY",
    "ENTRY_TEAM_AND_MATCHES_QUERY",
    "ENTRY_TEAM_AND_NEED_QUERY",
    "ENTRY_USAGE_RECORDS",
    "EVERY_USAGE_RECORD",
    "FLIP_UPDATE",
    "GRAPH_SIZE_QUERY",
    "IMPACT_QUERY",
    "LINK_AFFILIATION_QUERY",
    "LINK_GRANT_QUERY",
    "LINK_ORCID_QUERY",
    "LINK_PEOPLE_QUERY",
    "MENTORED_QUERY",
    "NETWORK_EDGES_QUERY",
    "NETWORK_LABELS_QUERY",
    "NETWORK_NODES_QUERY",
    "NETWORK_TOPICS_QUERY",
    "NODE_DETAILS_QUERY",
    "ONTOLOGY_CLASSES_QUERY",
    "ONTOLOGY_PROPERTIES_QUERY",
    "ORGANISATIONS_ABOVE_QUERY",
    "REMOVE_UPDATE",
    "SAME_AS_CLOSURE_QUERY",
    "SAME_AS_QUERY",
    "SHARED_ORGS_QUERY",
    "STATED_NEEDS_QUERY",
    "SUBJECTS_QUERY",
    "TEAM_EXISTS_QUERY",
    "TEAM_MEMBERS_QUERY",
    "USAGE_RECORDS_QUERY",
]
