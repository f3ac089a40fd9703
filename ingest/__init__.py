"""Ingest: readers per source format, typed records, RDF mapping, SHACL validation, the pipeline."""

from ingest.linking import LINKS_SOURCE, distinct_entities, find_links, relink
from ingest.mapping import MappedRecord, map_record
from ingest.pipeline import (
    PIPELINE_VERSION,
    IngestOutcome,
    SourcePlan,
    StrictModeRejection,
    ingest_source,
    ingest_sources,
    input_checksum,
    plan,
)
from ingest.readers import FORMAT_NAMES, Reader, reader_for
from ingest.report import RunReport
from ingest.validate import compile_shapes, validate_with_pyshacl

__all__ = [
    "FORMAT_NAMES",
    "LINKS_SOURCE",
    "PIPELINE_VERSION",
    "IngestOutcome",
    "MappedRecord",
    "Reader",
    "RunReport",
    "SourcePlan",
    "StrictModeRejection",
    "compile_shapes",
    "distinct_entities",
    "find_links",
    "ingest_source",
    "ingest_sources",
    "input_checksum",
    "map_record",
    "plan",
    "reader_for",
    "relink",
    "validate_with_pyshacl",
]
