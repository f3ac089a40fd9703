"""For analysts: the graph as a network (networkx): statistics, communities, a resource's neighbourhood."""

from graph.analytics.network import graph_statistics, graph_version, neighbourhood

__all__ = [
    "graph_statistics",
    "graph_version",
    "neighbourhood",
]
