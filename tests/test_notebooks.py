"""The analyst notebooks run top to bottom against the bundled sample (the graph only: no search index)."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from graph.store import open_store
from ingest.linking import relink
from ingest.pipeline import ingest_source, new_run_id, plan
from tests.conftest import REPO, SAMPLE

NOTEBOOKS = REPO / "notebooks"


@pytest.fixture(scope="module")
def sample_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding the bundled sample, as `sharekg ingest --sample --no-index` makes it."""
    data_dir = tmp_path_factory.mktemp("sample")
    store = open_store(data_dir / "store")
    try:
        for p in plan(sorted(folder for folder in SAMPLE.iterdir() if folder.is_dir())):
            assert ingest_source(store, p, data_dir / "runs").status == "loaded"
        relink(store, new_run_id())
    finally:
        store.close()
    return data_dir


@pytest.mark.slow
@pytest.mark.parametrize("name", ["explore_graph.ipynb"])
def test_notebook_runs_top_to_bottom_on_the_sample(
    name: str, sample_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The kernel inherits this environment: the store to open; Jupyter on platformdirs paths (older jupyter_core
    # warns about the migration otherwise).
    monkeypatch.setenv("SHAREKG_DATA_DIR", str(sample_data_dir))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    from matplotlib import font_manager  # noqa: F401  (builds matplotlib's font cache here, not noisily in the kernel)

    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)  # type: ignore[no-untyped-call]
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(not cell.outputs and cell.execution_count is None for cell in code), f"clear the outputs of {name}"
    notebook.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.prefix)"))  # type: ignore[no-untyped-call]

    NotebookClient(
        notebook, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()

    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"] == []  # no warnings
    assert notebook.cells[-1].outputs[0].text.strip() == sys.prefix  # the kernel ran in this virtualenv
    printed = "".join(o.text for o in outputs if o.output_type == "stream")
    assert f"store: {sample_data_dir / 'store'}" in printed
    assert "University of St Andrews" in printed  # instruments per organisation, units included
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 4
