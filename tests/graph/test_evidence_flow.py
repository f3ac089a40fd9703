"""Graph evidence flowing two links: a technique an instrument names is evidence for the instrument, and through it
for the facility it sits in (graph/search/evidence.py), on real records: X-ray beamlines and PaNET techniques."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from graph.search import Embedder, EmbeddingCache, SearchIndex
from graph.search.evidence import GraphEvidence
from graph.store import open_store
from ingest.pipeline import ingest_source, plan
from tests.conftest import FIXTURES

REPO = Path(__file__).resolve().parents[2]


def test_a_technique_an_instrument_names_is_evidence_for_its_facility(tmp_path: Path, embedder: Embedder) -> None:
    store = open_store(None)
    beamlines = FIXTURES / "xas-beamlines"
    for p in plan([beamlines / "beamlines.csv", beamlines / "facilities.csv"], source="xas"):
        ingest_source(store, p, None)
    panet = FIXTURES / "golden" / "mapped" / "panet" / "techniques.csv"
    for p in plan([panet], source="panet", mapping=REPO / "mappings" / "panet-techniques.toml"):
        ingest_source(store, p, None)
    index = SearchIndex.build(store, embedder, EmbeddingCache(tmp_path / "embeddings.sqlite"))
    store.close()
    evidence = GraphEvidence(index)
    assert evidence.carries("Instrument") and evidence.carries("Facility")
    xanes = next(j for j, s in enumerate(index.subjects) if s.label == "x-ray absorption near edge structure")
    vector = np.asarray(index.subject_vectors[xanes], dtype=np.float32)  # a need that is the technique itself
    subject_sims = np.einsum("ij,j->i", index.subject_vectors, vector)
    nothing = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))  # no instrument found by its own text
    instruments = evidence.for_rows(vector, "Instrument", {"Instrument": nothing}, subject_sims)
    facilities = evidence.for_rows(vector, "Facility", {"Facility": nothing, "Instrument": nothing}, subject_sims)
    als = next(i for i, d in enumerate(index.docs) if d.type == "Facility" and d.label == "Advanced Light Source")
    assert als in facilities, [index.docs[r].label for r in facilities]
    through = facilities[als]
    assert through.relation == "instrument at this facility" and through.label.startswith("ALS")
    instrument = index.position[through.source]
    assert instruments[instrument].relation == "technique"  # ALS's XANES beamline names the technique
    assert abs(through.similarity - instruments[instrument].similarity) < 1e-6
