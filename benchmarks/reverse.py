"""Reverse matching benchmark: how long ordering a demand log's needs for one resource takes (``Matcher.standout``:
each need's cosine with the resource and with its kind's mean vector, and the BM25 of the need on that resource),
against the cosine alone, as logs grow.

Usage: python benchmarks/reverse.py [--data-dir var] [--needs 100 1000 5000] [--repeats 5] [--out benchmarks/results]

Over the bundled sample as ingested and indexed in ``--data-dir`` (``sharekg ingest --sample``). The needs are real
texts of the sample (award titles and datasets' source-paper titles, as the load benchmark sends), repeated to the
sizes asked, encoded once beforehand (a logged need's vector is stored when it is logged), and a third of them
written in Chinese from a fixed list, each with a team number of its own so that every one is read (glossed) on its
own, as reverse matching reads them. Each size is timed
``--repeats`` times for one instrument, one dataset and one expert, the median reported: as on the first reverse call
(every need read again: a Chinese one glossed) and as on a later one (the matcher keeps what it read). Writes
reverse.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.load import need_texts
from graph.search import EmbeddingCache, SentenceTransformerEmbedder
from graph.search.index import open_index
from graph.search.matcher import Matcher
from graph.store import open_store

REPO = Path(__file__).resolve().parents[1]
#: Needs written in Chinese (a student's wording of common requests), a third of every log.
CHINESE_NEEDS = [
    "用核磁共振确定合成分子的结构",
    "检测土壤中重金属的含量",
    "用同步辐射X射线吸收谱研究催化剂",
    "自动驾驶的街景图像数据集",
    "用质谱分析蛋白质",
]
TEAM = "团队"  # "team": a Chinese need's own number follows it


def timed(run: object, repeats: int) -> float:
    """The median milliseconds of ``repeats`` calls of ``run``."""
    assert callable(run)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=REPO / "var", help="ingested and indexed sample")
    parser.add_argument("--needs", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args()
    store = open_store(args.data_dir / "store", read_only=True)
    embedder = SentenceTransformerEmbedder.load(device="cpu")
    cache = EmbeddingCache(args.data_dir / "embeddings.sqlite")
    index, _ = open_index(store, embedder, cache, args.data_dir / "index")
    matcher = Matcher(index, embedder)
    english = need_texts(limit=10_000)
    chinese_vectors = {t: matcher.encode_need(t) for t in CHINESE_NEEDS}
    english_vectors = dict(zip(english, matcher.encoder.encode(english), strict=True))
    rows = []
    for size in args.needs:
        # every Chinese need a text of its own (a team number appended, so each is read and glossed on its own), its
        # vector that of its base text (the vectors are stored; only reading the texts is timed here)
        bases = [
            CHINESE_NEEDS[j % len(CHINESE_NEEDS)] if j % 3 == 2 else english[j % len(english)] for j in range(size)
        ]
        texts = [f"{b} {TEAM}{j}" if b in chinese_vectors else b for j, b in enumerate(bases)]
        vectors = np.stack([chinese_vectors.get(b, english_vectors.get(b)) for b in bases])
        for type_name in ("Instrument", "Dataset", "Expert"):
            part = index.parts[type_name]
            iri = index.docs[int(part.rows[0])].iri
            resource = index.vector(int(part.rows[0]))
            matcher.standout(iri, vectors[:1], texts[:1])  # the kind's mean vector, computed once per matcher

            def cold(i: str = iri, v: np.ndarray = vectors, t: list[str] = texts) -> None:
                matcher._readings.clear()  # every need read again, as on the first reverse call after a start
                matcher.standout(i, v, t)

            rows.append(
                {
                    "needs": size,
                    "type": type_name,
                    "standout_first_call_ms": timed(cold, args.repeats),
                    "standout_ms": timed(lambda i=iri, v=vectors, t=texts: matcher.standout(i, v, t), args.repeats),
                    "cosine_ms": timed(lambda v=vectors, r=resource: v @ r, args.repeats),
                }
            )
            print(rows[-1], flush=True)
    cache.close()
    store.close()
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load": round(os.getloadavg()[0], 2),
        "repeats": args.repeats,
        "rows": rows,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "reverse.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        "| needs in the log | type | standout, first call, ms | standout, needs read before, ms | cosine alone, ms |\n"
        "| ---: | --- | ---: | ---: | ---: |"
    )
    for r in rows:
        print(
            f"| {r['needs']:,} | {r['type']} | {r['standout_first_call_ms']} | {r['standout_ms']} | {r['cosine_ms']} |"
        )


if __name__ == "__main__":
    main()
