"""Rebuild the bundled sample in ``sample/`` from the shared public data (kept for reproducibility).

Usage: python scripts/build_sample.py PATH_TO_SHARED_DATA

Each sample folder is one source; its SOURCE.md is the original attribution plus a note on the subset.
Subsets are deterministic (file order), never edited: every record is copied verbatim.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "sample"
DATASETS = 1000  # DataFinder datasets (of 3,294)
INVESTIGATORS = 500  # NSF investigators (of 1,500): all with an MRI award first, then file order

WHOLE = {
    "uniquip-st-andrews": ["equipment.csv"],
    "nsf-mri-instruments": ["awards.jsonl"],
    "xas-beamlines": ["beamlines.csv", "facilities.csv"],
    "subjects-anzsrc-for-2020": ["anzsrc_for_2020.ttl"],
    "subjects-oecd-ford": ["oecd_ford_2015.ttl"],
    "chmo-instrument-types": [],
    "panet-techniques": [],
}


def copy_source_md(data: Path, folder: str, target: str, note: str) -> None:
    out = SAMPLE / target
    out.mkdir(parents=True, exist_ok=True)
    text = (data / folder / "SOURCE.md").read_text(encoding="utf-8")
    (out / "SOURCE.md").write_text(text.rstrip() + f"\n\n## In this sample\n{note}\n", encoding="utf-8")


def lines(path: Path) -> list[str]:
    """Lines split on newlines only: some records hold U+2028 inside a JSON string."""
    return path.read_text(encoding="utf-8").rstrip("\n").split("\n")


def main(data: Path) -> None:
    for folder, files in WHOLE.items():
        if not files:
            continue
        copy_source_md(data, folder, folder, "The files here are copied whole and unchanged.")
        for name in files:
            shutil.copyfile(data / folder / name, SAMPLE / folder / name)
    repo = SAMPLE.parent
    for folder, source_folder, csv_name, mapping in (
        ("chmo-instrument-types", "chmo-instruments-methods", "instrument_types.csv", "chmo-instrument-types.toml"),
        ("panet-techniques", "panet-techniques", "techniques.csv", "panet-techniques.toml"),
    ):
        copy_source_md(
            data, source_folder, folder, f"`{csv_name}` copied whole; `mapping.toml` loads it as SKOS subjects."
        )
        shutil.copyfile(data / source_folder / csv_name, SAMPLE / folder / csv_name)
        shutil.copyfile(repo / "mappings" / mapping, SAMPLE / folder / "mapping.toml")

    datasets = lines(data / "datafinder-datasets" / "datasets.jsonl")[:DATASETS]
    copy_source_md(
        data,
        "datafinder-datasets",
        "datafinder-datasets",
        f"The first {DATASETS} lines of `datasets.jsonl`, unchanged.",
    )
    (SAMPLE / "datafinder-datasets" / "datasets.jsonl").write_text("\n".join(datasets) + "\n", encoding="utf-8")

    experts = lines(data / "nsf-pi-experts" / "experts.jsonl")
    with_mri = [e for e in experts if any(a.get("is_mri") for a in json.loads(e)["awards"])]
    rest = [e for e in experts if e not in with_mri]
    chosen = set((with_mri + rest)[:INVESTIGATORS])
    kept = [e for e in experts if e in chosen]
    copy_source_md(
        data,
        "nsf-pi-experts",
        "nsf-pi-experts",
        f"{len(kept)} of the 1,500 lines of `experts.jsonl`, unchanged and in file order: every investigator "
        "holding an MRI award (they link to `nsf-mri-instruments`), then the first others.",
    )
    (SAMPLE / "nsf-pi-experts" / "experts.jsonl").write_text("\n".join(kept) + "\n", encoding="utf-8")

    copy_source_md(
        data,
        "openalex-experts",
        "openalex-experts",
        "`authors.jsonl` copied whole. `works.jsonl` keeps every work with its `abstract` emptied: the caveat above "
        "asks not to republish the abstracts as a corpus, so the sample matches experts by titles, topics and "
        "keywords. Load the shared file by path to use the abstracts.",
    )
    shutil.copyfile(data / "openalex-experts" / "authors.jsonl", SAMPLE / "openalex-experts" / "authors.jsonl")
    works = [json.loads(line) for line in lines(data / "openalex-experts" / "works.jsonl")]
    text = "".join(json.dumps({**w, "abstract": ""}, ensure_ascii=False) + "\n" for w in works)
    (SAMPLE / "openalex-experts" / "works.jsonl").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
