"""Docs that cannot rot: settings documented, README commands true (the doctests in modules run by
``--doctest-modules``, set in pyproject.toml)."""

from __future__ import annotations

import re

from api.settings import Settings
from tests.conftest import REPO


def test_every_setting_has_help_and_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        assert field.description, f"setting {name} has no description"
        assert f"SHAREKG_{name.upper()}" in readme, f"SHAREKG_{name.upper()} is not documented in README.md"


def test_readme_starts_with_the_two_commands_ci_runs() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first_lines = "\n".join(readme.splitlines()[:12])
    assert "make run" in first_lines and "make test" in first_lines
    assert re.search(r"^make test$", (REPO / ".ci" / "run").read_text(encoding="utf-8"), re.MULTILINE)
