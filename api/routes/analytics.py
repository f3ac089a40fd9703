"""Analytics for analysts and resource centres: graph statistics, a resource's neighbourhood, under-used assets,
unmet needs and impact."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.convert import resource_id, resource_iri
from api.deps import ServicesDep
from api.problems import Problem
from api.schemas import EdgeOut, NeighbourhoodOut, NodeOut
from graph.analytics import neighbourhood

router = APIRouter(tags=["analytics"])


@router.get("/analytics/graph", summary="Counts, degree distribution, central resources and communities")
def graph_stats(services: ServicesDep, top: Annotated[int, Query(ge=1, le=50)] = 10) -> dict[str, object]:
    """Of the whole sharing network (networkx over the current graph): nodes per type and per source, edges per
    property, the degree distribution, the most central resources (PageRank), the largest communities (Louvain,
    fixed seed) labelled by their topics, and connected components. Cached until the graph changes."""
    return services.graph_statistics(top)


@router.get("/resources/{rid:path}/neighbourhood", summary="A resource and its neighbours, for drawing")
def resource_neighbourhood(
    rid: str, services: ServicesDep, limit: Annotated[int, Query(ge=1, le=200)] = 40
) -> NeighbourhoodOut:
    found = neighbourhood(services.store, resource_iri(rid), limit=limit)
    if found is None:
        raise Problem(404, "Not found", f"no resource {rid!r} in the graph; find ids with GET /resources?q=...")
    nodes = [NodeOut(iri=n.iri, id=resource_id(n.iri), label=n.label, type=n.type) for n in found.nodes]
    edges = [
        EdgeOut(source=e.source, target=e.target, predicate=e.predicate, label=e.predicate.split(":")[-1])
        for e in found.edges
    ]
    return NeighbourhoodOut(center=found.center.iri, nodes=nodes, edges=edges, truncated=found.truncated)
