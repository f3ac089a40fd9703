"""Each package's public surface is exactly its ``__all__``, and every name in it exists."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize("package", ["graph", "ingest", "api", "ontology"])
def test_all_names_exist_and_are_public(package: str) -> None:
    module = importlib.import_module(package)
    exported = module.__all__
    for name in exported:
        assert hasattr(module, name), f"{package}.__all__ names {name!r}, which does not exist"
    public = {n for n in vars(module) if not n.startswith("_")} - {"annotations"}
    submodules = {n for n in public if type(getattr(module, n)).__name__ == "module"}
    assert public - submodules == set(exported)
