"""Every Cypher statement the Neo4j backend runs, as named constants (and nothing built from input).

Labels, relationship types and property keys that come from data travel as parameters: Neo4j 5.26+
takes dynamic labels and types as ``$(expr)``, property maps as ``SET n += $map``. ArcadeDB's Bolt
server has no dynamic relationship type in ``MERGE``, so on it relationships go through its
``apoc.merge.relationship`` (also a parameter), the one statement that differs between the two.

Nodes are ``(:Resource {uri, graph})``: one per IRI per named graph, as neosemantics stores quads.
The catalogue is one ``(:sharekg_Source {name, graph, checksum})`` node per source.
"""

from __future__ import annotations

# ---- schema -------------------------------------------------------------------------------------

#: One node per IRI and graph; the constraint's index also serves every write's MERGE.
CREATE_RESOURCE_CONSTRAINT = (
    "CREATE CONSTRAINT sharekg_resource_uri_graph IF NOT EXISTS FOR (n:Resource) REQUIRE (n.uri, n.graph) IS UNIQUE"
)
CREATE_URI_INDEX = "CREATE INDEX sharekg_resource_uri IF NOT EXISTS FOR (n:Resource) ON (n.uri)"
CREATE_GRAPH_INDEX = "CREATE INDEX sharekg_resource_graph IF NOT EXISTS FOR (n:Resource) ON (n.graph)"
CREATE_SOURCE_CONSTRAINT = (
    "CREATE CONSTRAINT sharekg_source_name IF NOT EXISTS FOR (s:sharekg_Source) REQUIRE s.name IS UNIQUE"
)
SCHEMA = (CREATE_RESOURCE_CONSTRAINT, CREATE_URI_INDEX, CREATE_GRAPH_INDEX, CREATE_SOURCE_CONSTRAINT)

#: The prefix map, where neosemantics keeps it (``_NsPrefDef``: namespace → prefix).
WRITE_PREFIXES = "MERGE (p:_NsPrefDef) SET p += $prefixes"

SERVER_COMPONENTS = "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition"

# ---- writes -------------------------------------------------------------------------------------

GRAPH_HAS_NODES = "MATCH (n:Resource {graph: $graph}) RETURN n.uri AS uri LIMIT 1"

#: Current literal properties of nodes a write adds to (values are appended, never overwritten).
NODE_PROPERTIES = """
MATCH (n:Resource {graph: $graph}) WHERE n.uri IN $uris
RETURN n.uri AS uri, properties(n) AS props"""

MERGE_NODES = """
UNWIND $rows AS row
MERGE (n:Resource {uri: row.uri, graph: $graph})
SET n += row.props"""

ADD_LABELS = """
UNWIND $rows AS row
MATCH (n:Resource {uri: row.uri, graph: $graph})
SET n:$(row.labels)"""

MERGE_RELATIONSHIPS = """
UNWIND $rows AS row
MATCH (a:Resource {uri: row.s, graph: $graph})
MATCH (b:Resource {uri: row.o, graph: $graph})
MERGE (a)-[:$(row.type)]->(b)"""

#: The same for ArcadeDB, whose Cypher has no dynamic type in MERGE.
MERGE_RELATIONSHIPS_ARCADEDB = """
UNWIND $rows AS row
MATCH (a:Resource {uri: row.s, graph: $graph})
MATCH (b:Resource {uri: row.o, graph: $graph})
CALL apoc.merge.relationship(a, row.type, {}, {}, b, {}) YIELD rel
RETURN count(rel) AS written"""

#: Distinct statements of one graph: types (labels but Resource), literal values, relationships.
GRAPH_SIZE = """
MATCH (n:Resource {graph: $graph})
RETURN sum(
  size([l IN labels(n) WHERE l <> 'Resource' AND NOT l STARTS WITH 'sharekg_'])
  + reduce(t = 0, k IN keys(n) |
      t + CASE WHEN k IN ['uri', 'graph'] OR k STARTS WITH 'sharekg_' THEN 0 ELSE size(n[k]) END)
  + size([(n)-->() | 1])
) AS size"""

#: The flip: one source's catalogue entry, written in one transaction.
PUBLISH = """
MERGE (s:sharekg_Source {name: $name})
SET s.graph = $graph, s.checksum = $checksum"""

REMOVE_SOURCE = """
MATCH (s:sharekg_Source {name: $name})
DELETE s
RETURN count(*) AS removed"""

GRAPHS = "MATCH (n:Resource) RETURN DISTINCT n.graph AS graph"

DELETE_GRAPH_BATCH = """
MATCH (n:Resource {graph: $graph})
WITH n LIMIT $batch
DETACH DELETE n
RETURN count(*) AS deleted"""

# ---- reads --------------------------------------------------------------------------------------

SOURCES = "MATCH (s:sharekg_Source) RETURN s.name AS name, s.graph AS graph, s.checksum AS checksum"

#: A resource's nodes in the current graphs, with what they point to.
DESCRIBE = """
MATCH (c:sharekg_Source)
WITH collect(c.graph) AS graphs
MATCH (n:Resource {uri: $iri})
WHERE n.graph IN graphs
RETURN labels(n) AS labels, properties(n) AS props, [(n)-[r]->(o) | [type(r), o.uri]] AS out"""

INCOMING_RELATIONSHIPS = """
MATCH (c:sharekg_Source)
WITH collect(c.graph) AS graphs
MATCH (s:Resource)-[r]->(o:Resource {uri: $iri})
WHERE o.graph IN graphs
RETURN DISTINCT s.uri AS subject, type(r) AS type
LIMIT $limit"""

#: Members of a class (the label it is shortened to), for ``incoming`` of a class IRI.
INCOMING_TYPED = """
MATCH (c:sharekg_Source)
WITH collect(c.graph) AS graphs
MATCH (s:$($label))
WHERE s.graph IN graphs
RETURN DISTINCT s.uri AS subject
LIMIT $limit"""

COUNT_BY_TYPE = """
MATCH (c:sharekg_Source)
MATCH (n:Resource {graph: c.graph})
UNWIND labels(n) AS label
WITH c.name AS source, label, n
WHERE label <> 'Resource' AND NOT label STARTS WITH 'sharekg_'
RETURN source, label, count(DISTINCT n.uri) AS count"""

#: Every node of one graph with all its statements (streamed, for ``quads`` and ``export``).
GRAPH_NODES = """
MATCH (n:Resource {graph: $graph})
RETURN n.uri AS uri, labels(n) AS labels, properties(n) AS props, [(n)-[r]->(o) | [type(r), o.uri]] AS out"""

# ---- matching (graph.search.neo4j_search; Neo4j only: ArcadeDB has neither index) ----------------------------

#: Vector index for Neo4j 5.x: filters cannot live in it, so queries over-fetch and filter after.
CREATE_VECTOR_INDEX_5 = """
CREATE VECTOR INDEX sharekg_embedding IF NOT EXISTS
FOR (n:sharekg_Searchable) ON n.sharekg_embedding
OPTIONS {indexConfig: {`vector.dimensions`: 384, `vector.similarity_function`: 'cosine'}}"""

#: Vector index for Neo4j 2026.01+: the type is an additional property, so SEARCH filters inside the index.
CREATE_VECTOR_INDEX_25 = """
CYPHER 25
CREATE VECTOR INDEX sharekg_embedding IF NOT EXISTS
FOR (n:sharekg_Searchable) ON n.sharekg_embedding
WITH [n.sharekg_type]
OPTIONS {indexConfig: {`vector.dimensions`: 384, `vector.similarity_function`: 'cosine'}}"""

CREATE_FULLTEXT_INDEX = """
CREATE FULLTEXT INDEX sharekg_text IF NOT EXISTS
FOR (n:sharekg_Searchable) ON EACH [n.sharekg_text]"""

AWAIT_INDEXES = "CALL db.awaitIndexes($seconds)"

#: What matching reads from each resource node of the current graphs.
SET_SEARCH_PROPERTIES = """
MATCH (c:sharekg_Source)
WITH collect(c.graph) AS graphs
UNWIND $rows AS row
MATCH (n:Resource {uri: row.iri})
WHERE n.graph IN graphs
SET n:sharekg_Searchable, n.sharekg_type = row.type, n.sharekg_text = row.text,
    n.sharekg_country = row.country, n.sharekg_region = row.region, n.sharekg_city = row.city,
    n.sharekg_embedding = row.vector"""

_PLACE_FILTER = """
  AND ($country IS NULL OR toLower(node.sharekg_country) = $country)
  AND ($region IS NULL OR toLower(node.sharekg_region) = $region)
  AND ($city IS NULL OR toLower(node.sharekg_city) = $city)"""

#: Neo4j 5.x: the procedure, then type, graph and place filters on what it returns.
VECTOR_SEARCH_5 = (
    """
CALL db.index.vector.queryNodes('sharekg_embedding', $fetch, $vector) YIELD node, score
WHERE node.sharekg_type = $type AND node.graph IN $graphs"""
    + _PLACE_FILTER
    + """
RETURN node.uri AS uri, score
ORDER BY score DESC LIMIT $k"""
)

#: Neo4j 2026.01+: the SEARCH clause, with the type filter inside the index search.
VECTOR_SEARCH_25 = (
    """
CYPHER 25
MATCH (node:sharekg_Searchable)
  SEARCH node IN (VECTOR INDEX sharekg_embedding FOR $vector WHERE node.sharekg_type = $type LIMIT $fetch)
  SCORE AS score
WITH node, score
WHERE node.graph IN $graphs"""
    + _PLACE_FILTER
    + """
RETURN node.uri AS uri, score
ORDER BY score DESC LIMIT $k"""
)

FULLTEXT_SEARCH = (
    """
CALL db.index.fulltext.queryNodes('sharekg_text', $text, {limit: $fetch}) YIELD node, score
WHERE node.sharekg_type = $type AND node.graph IN $graphs"""
    + _PLACE_FILTER
    + """
RETURN node.uri AS uri, score
ORDER BY score DESC LIMIT $k"""
)

__all__ = [
    "ADD_LABELS",
    "AWAIT_INDEXES",
    "COUNT_BY_TYPE",
    "CREATE_FULLTEXT_INDEX",
    "CREATE_GRAPH_INDEX",
    "CREATE_RESOURCE_CONSTRAINT",
    "CREATE_SOURCE_CONSTRAINT",
    "CREATE_URI_INDEX",
    "CREATE_VECTOR_INDEX_5",
    "CREATE_VECTOR_INDEX_25",
    "DELETE_GRAPH_BATCH",
    "DESCRIBE",
    "FULLTEXT_SEARCH",
    "GRAPHS",
    "GRAPH_HAS_NODES",
    "GRAPH_NODES",
    "GRAPH_SIZE",
    "INCOMING_RELATIONSHIPS",
    "INCOMING_TYPED",
    "MERGE_NODES",
    "MERGE_RELATIONSHIPS",
    "MERGE_RELATIONSHIPS_ARCADEDB",
    "NODE_PROPERTIES",
    "PUBLISH",
    "REMOVE_SOURCE",
    "SCHEMA",
    "SERVER_COMPONENTS",
    "SET_SEARCH_PROPERTIES",
    "SOURCES",
    "VECTOR_SEARCH_5",
    "VECTOR_SEARCH_25",
    "WRITE_PREFIXES",
]
