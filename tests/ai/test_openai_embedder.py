"""The OpenAI-compatible embedder against a local server that speaks the real API."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator

import numpy as np
import pytest
from numpy.typing import NDArray

from fakes.openai_server import FakeOpenAI, word_vector
from jobpilot.ai.embeddings import EmbeddingError, OpenAIEmbedder

KEY = "sk-test-4f9a1c0e7b2d"
MODEL = "text-embedding-3-small"
TEXTS = [
    "Senior Python backend engineer",
    "Pastry chef for a busy bakery",
    "Data analyst with SQL and dashboards",
    "Warehouse associate, night shift",
    "Kubernetes platform engineer",
]


class Waits:
    """Records the waits the embedder asks for, without waiting (no test depends on time)."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


@pytest.fixture(scope="module")
def module_server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key=KEY, dimension=64) as server:
        yield server


@pytest.fixture
def server(module_server: FakeOpenAI) -> FakeOpenAI:
    module_server.reset()
    return module_server


@pytest.fixture
def waits() -> Waits:
    return Waits()


@pytest.fixture
async def embedder(server: FakeOpenAI, waits: Waits) -> AsyncIterator[OpenAIEmbedder]:
    async with OpenAIEmbedder(server.base_url, KEY, MODEL, sleep=waits) as embedder:
        yield embedder


def expected(texts: list[str], dimension: int = 64) -> NDArray[np.float64]:
    rows = np.array([word_vector(t, dimension) for t in texts])
    unit: NDArray[np.float64] = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    return unit


async def test_vectors_come_back_in_input_order_and_unit_length(
    server: FakeOpenAI, embedder: OpenAIEmbedder
) -> None:
    vectors = await embedder.embed(TEXTS)

    assert vectors.shape == (5, 64)
    assert vectors.dtype == np.float32
    # The server answers last-to-first; rows must still follow the input.
    np.testing.assert_allclose(vectors, expected(TEXTS), atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    assert embedder.model_id == MODEL
    assert embedder.dimension == 64
    assert server.requests[0].body == {"model": MODEL, "input": TEXTS}


async def test_the_key_is_sent_as_a_bearer_token(
    server: FakeOpenAI, embedder: OpenAIEmbedder
) -> None:
    await embedder.embed(["hello"])

    assert server.requests[0].headers["authorization"] == f"Bearer {KEY}"


async def test_no_authorization_header_without_a_key(waits: Waits) -> None:
    with FakeOpenAI(api_key=None) as open_server:
        async with OpenAIEmbedder(open_server.base_url, None, MODEL, sleep=waits) as embedder:
            await embedder.embed(["hello"])

        assert "authorization" not in open_server.requests[0].headers


async def test_large_inputs_are_sent_in_batches(server: FakeOpenAI, waits: Waits) -> None:
    server.max_inputs = 2
    try:
        async with OpenAIEmbedder(
            server.base_url, KEY, MODEL, batch_size=2, sleep=waits
        ) as embedder:
            vectors = await embedder.embed(TEXTS)
    finally:
        server.max_inputs = 2048

    assert [r.inputs for r in server.requests] == [TEXTS[0:2], TEXTS[2:4], TEXTS[4:5]]
    np.testing.assert_allclose(vectors, expected(TEXTS), atol=1e-6)


async def test_no_texts_make_no_request(server: FakeOpenAI, waits: Waits) -> None:
    async with OpenAIEmbedder(server.base_url, KEY, MODEL, dimension=64, sleep=waits) as embedder:
        vectors = await embedder.embed([])

    assert vectors.shape == (0, 64)
    assert server.requests == []


async def test_a_rate_limit_is_waited_out_as_the_server_asks(
    server: FakeOpenAI, embedder: OpenAIEmbedder, waits: Waits
) -> None:
    server.fail_next(429, retry_after="2", message="Rate limit reached for requests")

    vectors = await embedder.embed(TEXTS[:2])

    assert [r.status for r in server.requests] == [429, 200]
    assert waits.seconds == [2.0]
    np.testing.assert_allclose(vectors, expected(TEXTS[:2]), atol=1e-6)


async def test_a_rate_limit_longer_than_the_bound_is_handed_back(
    server: FakeOpenAI, waits: Waits
) -> None:
    server.fail_next(429, retry_after="600")
    async with OpenAIEmbedder(
        server.base_url, KEY, MODEL, max_retry_after=60, sleep=waits
    ) as embedder:
        with pytest.raises(EmbeddingError) as raised:
            await embedder.embed(["hello"])

    assert len(server.requests) == 1
    assert waits.seconds == []
    assert raised.value.provider_status == 429
    assert raised.value.retry_after == 600


async def test_server_errors_are_retried_then_reported(
    server: FakeOpenAI, embedder: OpenAIEmbedder, waits: Waits
) -> None:
    server.fail_next(500, times=10)

    with pytest.raises(EmbeddingError) as raised:
        await embedder.embed(["hello"])

    # One try and max_retries=3 retries, with growing backoff between them.
    assert [r.status for r in server.requests] == [500] * 4
    assert len(waits.seconds) == 3
    assert waits.seconds == sorted(waits.seconds)
    assert raised.value.provider_status == 500
    assert "500" in str(raised.value)
    assert "after 4 attempts" in str(raised.value)


async def test_a_server_error_then_success_is_fine(
    server: FakeOpenAI, embedder: OpenAIEmbedder
) -> None:
    server.fail_next(503)

    vectors = await embedder.embed(["hello"])

    assert [r.status for r in server.requests] == [503, 200]
    assert vectors.shape == (1, 64)


async def test_a_bad_request_is_not_retried(server: FakeOpenAI, embedder: OpenAIEmbedder) -> None:
    server.fail_next(400, message="This model's maximum context length is 8192 tokens")

    with pytest.raises(EmbeddingError) as raised:
        await embedder.embed(["hello"])

    assert len(server.requests) == 1
    assert raised.value.provider_status == 400
    assert "maximum context length" in str(raised.value)


async def test_a_wrong_key_is_reported_without_the_key(server: FakeOpenAI, waits: Waits) -> None:
    wrong = "sk-wrong-0123456789abcdef"
    async with OpenAIEmbedder(server.base_url, wrong, MODEL, sleep=waits) as embedder:
        with pytest.raises(EmbeddingError) as raised:
            await embedder.embed(["hello"])

    assert len(server.requests) == 1
    assert raised.value.provider_status == 401
    assert "API key" in str(raised.value)
    assert wrong not in str(raised.value)
    assert wrong not in repr(raised.value.args)


async def test_a_provider_echoing_the_key_does_not_leak_it(
    server: FakeOpenAI, embedder: OpenAIEmbedder
) -> None:
    server.fail_next(422, message=f"Request with key {KEY} could not be parsed")

    with pytest.raises(EmbeddingError) as raised:
        await embedder.embed(["hello"])

    assert KEY not in str(raised.value)
    assert "could not be parsed" in str(raised.value)


async def test_an_answer_that_is_not_json_is_an_error(
    server: FakeOpenAI, embedder: OpenAIEmbedder
) -> None:
    server.garble_next()

    with pytest.raises(EmbeddingError, match="not JSON"):
        await embedder.embed(["hello"])


async def test_vectors_of_another_dimension_are_refused(server: FakeOpenAI, waits: Waits) -> None:
    server.resize_next(32)
    async with OpenAIEmbedder(server.base_url, KEY, MODEL, dimension=64, sleep=waits) as embedder:
        with pytest.raises(EmbeddingError, match="32-d vectors, expected 64-d"):
            await embedder.embed(["hello"])


async def test_the_dimension_is_learned_once_and_then_held(
    server: FakeOpenAI, embedder: OpenAIEmbedder
) -> None:
    with pytest.raises(EmbeddingError, match="not known"):
        _ = embedder.dimension

    await embedder.embed(["hello"])
    server.resize_next(32)

    assert embedder.dimension == 64
    with pytest.raises(EmbeddingError, match="32-d vectors, expected 64-d"):
        await embedder.embed(["world"])


async def test_an_unreachable_server_is_retried_then_reported(waits: Waits) -> None:
    # A bound port nobody listens on refuses connections at once.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
        async with OpenAIEmbedder(url, KEY, MODEL, max_retries=2, sleep=waits) as embedder:
            with pytest.raises(EmbeddingError, match="could not be reached"):
                await embedder.embed(["hello"])

    assert len(waits.seconds) == 2


async def test_a_single_string_is_refused(embedder: OpenAIEmbedder) -> None:
    with pytest.raises(TypeError):
        await embedder.embed("one text")
