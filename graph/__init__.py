"""The graph store behind one interface (embedded Oxigraph by default) and the error tree."""

from graph.errors import ConfigurationError, InputError, Problem, RecordError, SharekgError, StoreError
from graph.store import BASE, CATALOGUE_GRAPH, EXPORT_FORMATS, SourceEntry, Store, Triple, TypeCount, open_store

__all__ = [
    "BASE",
    "CATALOGUE_GRAPH",
    "EXPORT_FORMATS",
    "ConfigurationError",
    "InputError",
    "Problem",
    "RecordError",
    "SharekgError",
    "SourceEntry",
    "Store",
    "StoreError",
    "Triple",
    "TypeCount",
    "open_store",
]
