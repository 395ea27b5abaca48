"""The OpenAI-compatible chat model against a local server that speaks the real API."""

from __future__ import annotations

import json
import math
import socket
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from pydantic import BaseModel, SecretStr

from fakes.openai_server import ApiRequest, FakeOpenAI, token_count
from jobpilot.ai.config import LlmSettings
from jobpilot.ai.providers.base import ChatMessage, LlmError
from jobpilot.ai.providers.openai_compatible import OpenAIChatModel

KEY = "sk-test-9c1e4b7a2f60"
MODEL = "gpt-4o-mini"
CONVERSATION = [
    ChatMessage("system", "You tailor resumes to job postings."),
    ChatMessage("user", "Posting: Senior Python engineer, 5+ years, FastAPI and PostgreSQL."),
]
VALID = {"title": "Senior Python Engineer", "skills": ["Python", "FastAPI"], "years": 6}


class Tailoring(BaseModel):
    title: str
    skills: list[str]
    years: int


class Waits:
    """Records the waits the model asks for, without waiting (no test depends on time)."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


@pytest.fixture(scope="module")
def module_server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key=KEY) as server:
        yield server


@pytest.fixture
def server(module_server: FakeOpenAI) -> FakeOpenAI:
    module_server.reset()
    return module_server


@pytest.fixture
def waits() -> Waits:
    return Waits()


@pytest.fixture
async def llm(server: FakeOpenAI, waits: Waits) -> AsyncIterator[OpenAIChatModel]:
    async with OpenAIChatModel(server.base_url, KEY, MODEL, sleep=waits) as model:
        yield model


def reported_tokens(request: ApiRequest, answer: str) -> tuple[int, int]:
    """The usage the fake reports for `request` answered with `answer`."""
    prompt = sum(token_count(m["content"]) for m in request.messages)
    return prompt, token_count(answer)


async def ask(llm: OpenAIChatModel, max_tokens: int = 400) -> Tailoring:
    completion = await llm.complete_json(
        CONVERSATION, Tailoring, name="tailoring", max_tokens=max_tokens
    )
    return completion.value


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
async def test_a_valid_answer_comes_back_validated_with_its_token_counts(
    server: FakeOpenAI, waits: Waits, stream: bool
) -> None:
    server.reply(VALID)

    async with OpenAIChatModel(server.base_url, KEY, MODEL, stream=stream, sleep=waits) as llm:
        completion = await llm.complete_json(CONVERSATION, Tailoring, name="tailoring")

    assert completion.value == Tailoring(**VALID)
    assert completion.model == MODEL
    assert completion.attempts == 1
    assert not completion.estimated_tokens
    [request] = server.chat_requests
    prompt, answer = reported_tokens(request, json.dumps(VALID))
    assert (completion.prompt_tokens, completion.completion_tokens) == (prompt, answer)
    assert request.status == 200
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.body.get("stream", False) is stream


async def test_a_streamed_answer_arrives_in_several_chunks_and_asks_for_usage(
    server: FakeOpenAI, waits: Waits
) -> None:
    server.chunk_chars = 3
    server.reply(VALID)

    async with OpenAIChatModel(server.base_url, KEY, MODEL, stream=True, sleep=waits) as llm:
        value = await ask(llm)

    assert value == Tailoring(**VALID)
    body = server.chat_requests[0].body
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}


async def test_json_schema_mode_sends_the_schema_as_response_format(
    server: FakeOpenAI, llm: OpenAIChatModel
) -> None:
    server.reply(VALID)

    await ask(llm, max_tokens=321)

    assert server.chat_requests[0].body == {
        "model": MODEL,
        "messages": [{"role": m.role, "content": m.content} for m in CONVERSATION],
        "temperature": 0.2,
        "max_tokens": 321,
        "response_format": {
            "type": "json_schema",
            "json_schema": {
                "name": "tailoring",
                "schema": Tailoring.model_json_schema(),
                "strict": False,
            },
        },
    }


async def test_a_schema_name_openai_would_refuse_is_made_acceptable(
    server: FakeOpenAI, llm: OpenAIChatModel
) -> None:
    server.reply(VALID)

    await llm.complete_json(CONVERSATION, Tailoring, name="cover letter (draft)")

    spec = server.chat_requests[0].body["response_format"]["json_schema"]
    assert spec["name"] == "cover_letter__draft_"


async def test_json_object_mode_puts_the_schema_in_the_system_prompt(
    server: FakeOpenAI, waits: Waits
) -> None:
    server.reply(VALID)

    async with OpenAIChatModel(
        server.base_url, KEY, MODEL, json_mode="json_object", sleep=waits
    ) as llm:
        value = await ask(llm)

    assert value == Tailoring(**VALID)
    body = server.chat_requests[0].body
    assert body["response_format"] == {"type": "json_object"}
    system, user = body["messages"]
    assert system["role"] == "system"
    assert system["content"].startswith(CONVERSATION[0].content)
    assert json.dumps(Tailoring.model_json_schema()) in system["content"]
    assert user == {"role": "user", "content": CONVERSATION[1].content}


async def test_json_object_mode_adds_a_system_message_when_there_is_none(
    server: FakeOpenAI, waits: Waits
) -> None:
    server.reply(VALID)

    async with OpenAIChatModel(
        server.base_url, KEY, MODEL, json_mode="json_object", sleep=waits
    ) as llm:
        await llm.complete_json([CONVERSATION[1]], Tailoring, name="tailoring")

    system, user = server.chat_requests[0].messages
    assert system["role"] == "system"
    assert json.dumps(Tailoring.model_json_schema()) in system["content"]
    assert user["content"] == CONVERSATION[1].content


async def test_malformed_json_gets_one_repair_turn_naming_the_error(
    server: FakeOpenAI, llm: OpenAIChatModel
) -> None:
    bad = '{"title": "Senior Python Engineer", "skills": ["Python"'
    server.reply(bad)
    server.reply(VALID)

    completion = await llm.complete_json(CONVERSATION, Tailoring, name="tailoring")

    assert completion.value == Tailoring(**VALID)
    assert completion.attempts == 2
    first, second = server.chat_requests
    original = [{"role": m.role, "content": m.content} for m in CONVERSATION]
    assert first.messages == original
    assert second.messages[:2] == original
    assert second.messages[2] == {"role": "assistant", "content": bad}
    repair = second.messages[3]
    assert repair["role"] == "user"
    assert "Invalid JSON" in repair["content"]
    assert "only a JSON object" in repair["content"]
    # Tokens of both requests are counted.
    prompt = reported_tokens(first, bad)[0] + reported_tokens(second, json.dumps(VALID))[0]
    assert completion.prompt_tokens == prompt
    assert completion.completion_tokens == token_count(bad) + token_count(json.dumps(VALID))


async def test_malformed_json_twice_is_invalid_output_after_exactly_two_requests(
    server: FakeOpenAI, llm: OpenAIChatModel, waits: Waits
) -> None:
    server.reply("Sure! Here is the JSON you asked for.")
    server.reply("{not json either")
    server.reply(VALID)  # never asked for

    with pytest.raises(LlmError) as raised:
        await ask(llm)

    assert raised.value.reason == "invalid_output"
    assert "tailoring" in str(raised.value)
    assert len(server.chat_requests) == 2
    assert waits.seconds == []


async def test_json_that_breaks_the_schema_gets_a_repair_turn_listing_the_fields(
    server: FakeOpenAI, llm: OpenAIChatModel
) -> None:
    server.reply({"title": "Engineer", "years": "six"})
    server.reply(VALID)

    completion = await llm.complete_json(CONVERSATION, Tailoring, name="tailoring")

    assert completion.value == Tailoring(**VALID)
    assert completion.attempts == 2
    repair = server.chat_requests[1].messages[-1]["content"]
    assert "skills: Field required" in repair
    assert "years: Input should be a valid integer" in repair


async def test_many_schema_errors_are_summarised_not_listed_in_full(
    server: FakeOpenAI, llm: OpenAIChatModel
) -> None:
    server.reply({"skills": [1, 2, 3, 4, 5]})
    server.reply(VALID)

    await ask(llm)

    repair = server.chat_requests[1].messages[-1]["content"]
    assert repair.count("\n- ") == 4
    assert "and 4 more" in repair  # title, skills.0-4 and years: 7 in all


async def test_json_in_a_markdown_fence_is_accepted(
    server: FakeOpenAI, llm: OpenAIChatModel
) -> None:
    server.reply(f"```json\n{json.dumps(VALID, indent=2)}\n```")

    completion = await llm.complete_json(CONVERSATION, Tailoring, name="tailoring")

    assert completion.value == Tailoring(**VALID)
    assert completion.attempts == 1


async def test_an_answer_cut_off_at_the_token_limit_gets_a_repair_turn(
    server: FakeOpenAI, llm: OpenAIChatModel
) -> None:
    # Valid JSON by luck, but the model stopped at the limit: fields may be short.
    server.reply({"title": "Senior", "skills": [], "years": 6}, finish_reason="length")
    server.reply(VALID)

    completion = await llm.complete_json(CONVERSATION, Tailoring, name="t", max_tokens=50)

    assert completion.value == Tailoring(**VALID)
    assert completion.attempts == 2
    assert "cut off at the 50-token limit" in server.chat_requests[1].messages[-1]["content"]


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
async def test_a_refusal_is_reported_as_refused_without_a_repair_turn(
    server: FakeOpenAI, waits: Waits, stream: bool
) -> None:
    server.refuse_next("I can't help with that request.")
    server.reply(VALID)  # never asked for

    async with OpenAIChatModel(server.base_url, KEY, MODEL, stream=stream, sleep=waits) as llm:
        with pytest.raises(LlmError) as raised:
            await ask(llm)

    assert raised.value.reason == "refused"
    assert "can't help" in str(raised.value)
    assert len(server.chat_requests) == 1


async def test_a_rate_limit_is_waited_out_as_the_server_asks(
    server: FakeOpenAI, llm: OpenAIChatModel, waits: Waits
) -> None:
    server.fail_next(429, retry_after="2", message="Rate limit reached for requests")
    server.reply(VALID)

    completion = await llm.complete_json(CONVERSATION, Tailoring, name="tailoring")

    assert [r.status for r in server.chat_requests] == [429, 200]
    assert waits.seconds == [2.0]
    assert completion.value == Tailoring(**VALID)
    # Waiting out a rate limit is not another try of the model.
    assert completion.attempts == 1


async def test_a_rate_limit_that_lasts_is_reported_with_its_retry_after(
    server: FakeOpenAI, llm: OpenAIChatModel, waits: Waits
) -> None:
    server.fail_next(429, times=10, retry_after="1")

    with pytest.raises(LlmError) as raised:
        await ask(llm)

    # One try and max_retries=3 retries.
    assert [r.status for r in server.chat_requests] == [429] * 4
    assert waits.seconds == [1.0, 1.0, 1.0]
    assert raised.value.reason == "rate_limited"
    assert raised.value.rate_limited
    assert raised.value.provider_status == 429
    assert raised.value.retry_after == 1
    assert "after 4 attempts" in str(raised.value)


async def test_a_rate_limit_longer_than_the_bound_fails_at_once(
    server: FakeOpenAI, waits: Waits
) -> None:
    server.fail_next(429, retry_after="600")
    server.reply(VALID)

    async with OpenAIChatModel(server.base_url, KEY, MODEL, max_retry_after=60, sleep=waits) as llm:
        with pytest.raises(LlmError) as raised:
            await ask(llm)

    assert len(server.chat_requests) == 1
    assert waits.seconds == []
    assert raised.value.reason == "rate_limited"
    assert raised.value.retry_after == 600


async def test_a_server_error_then_success_is_fine(
    server: FakeOpenAI, llm: OpenAIChatModel, waits: Waits
) -> None:
    server.fail_next(500)
    server.reply(VALID)

    completion = await llm.complete_json(CONVERSATION, Tailoring, name="tailoring")

    assert [r.status for r in server.chat_requests] == [500, 200]
    assert len(waits.seconds) == 1
    assert completion.value == Tailoring(**VALID)
    assert completion.attempts == 1


async def test_server_errors_that_last_are_a_provider_error(
    server: FakeOpenAI, llm: OpenAIChatModel, waits: Waits
) -> None:
    server.fail_next(503, times=10, message="The engine is currently overloaded")

    with pytest.raises(LlmError) as raised:
        await ask(llm)

    assert len(server.chat_requests) == 4
    # Exponential backoff: each wait at least as long as the one before.
    assert waits.seconds == sorted(waits.seconds)
    assert len(waits.seconds) == 3
    assert raised.value.reason == "provider_error"
    assert raised.value.provider_status == 503
    assert "overloaded" in str(raised.value)


async def test_a_wrong_key_is_reported_without_the_key(server: FakeOpenAI, waits: Waits) -> None:
    wrong = "sk-wrong-0123456789abcdef"
    async with OpenAIChatModel(server.base_url, wrong, MODEL, sleep=waits) as llm:
        with pytest.raises(LlmError) as raised:
            await ask(llm)

    assert len(server.chat_requests) == 1
    assert raised.value.reason == "provider_error"
    assert raised.value.provider_status == 401
    assert str(raised.value) == "the language model provider refused the API key (401)"
    assert wrong not in repr(raised.value.args)


async def test_a_bad_request_is_not_retried_and_does_not_leak_the_key(
    server: FakeOpenAI, llm: OpenAIChatModel, waits: Waits
) -> None:
    server.fail_next(400, message=f"This model's maximum context length is 128000 ({KEY})")

    with pytest.raises(LlmError) as raised:
        await ask(llm)

    assert len(server.chat_requests) == 1
    assert waits.seconds == []
    assert raised.value.reason == "provider_error"
    assert raised.value.provider_status == 400
    assert "maximum context length" in str(raised.value)
    assert KEY not in str(raised.value)


async def test_no_messages_is_refused_before_any_request(
    server: FakeOpenAI, llm: OpenAIChatModel
) -> None:
    with pytest.raises(ValueError, match="at least one message"):
        await llm.complete_json([], Tailoring, name="tailoring")

    assert server.requests == []


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"messages": [{"role": "user", "content": "hi"}]}, "model"),
        ({"model": MODEL, "messages": []}, "messages"),
        ({"model": MODEL, "messages": [{"role": "robot", "content": "hi"}]}, "messages[0].role"),
        (
            {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "stream_options": {}},
            "stream_options",
        ),
        (
            {
                "model": MODEL,
                "messages": [{"role": "user", "content": "hi"}],
                "response_format": {"type": "json_object"},
            },
            "messages",
        ),
    ],
    ids=["no-model", "no-messages", "bad-role", "stream-options-alone", "json-mode-unasked"],
)
async def test_the_fake_refuses_requests_the_real_api_refuses(
    server: FakeOpenAI, body: dict[str, object], param: str
) -> None:
    headers = {"Authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(trust_env=False) as http:
        response = await http.post(
            f"{server.base_url}/chat/completions", json=body, headers=headers
        )

    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert response.json()["error"]["param"] == param


async def test_a_200_that_is_not_json_is_retried(
    server: FakeOpenAI, llm: OpenAIChatModel, waits: Waits
) -> None:
    server.garble_next()
    server.reply(VALID)

    completion = await llm.complete_json(CONVERSATION, Tailoring, name="tailoring")

    assert [r.status for r in server.chat_requests] == [200, 200]
    assert len(waits.seconds) == 1
    assert completion.value == Tailoring(**VALID)
    assert completion.attempts == 1


@pytest.mark.parametrize(
    "body",
    [b"<html><body>502 Bad Gateway</body></html>", b'{"object": "chat.completion", "choices": []}'],
    ids=["html", "no-choices"],
)
async def test_a_200_that_is_never_a_completion_is_a_provider_error(
    server: FakeOpenAI, llm: OpenAIChatModel, waits: Waits, body: bytes
) -> None:
    for _ in range(4):
        server.raw_next(body)

    with pytest.raises(LlmError) as raised:
        await ask(llm)

    assert len(server.chat_requests) == 4
    assert raised.value.reason == "provider_error"
    assert raised.value.provider_status == 200


async def test_a_stream_cut_off_mid_answer_is_retried(server: FakeOpenAI, waits: Waits) -> None:
    server.cut_stream_next(VALID)
    server.reply(VALID)

    async with OpenAIChatModel(server.base_url, KEY, MODEL, stream=True, sleep=waits) as llm:
        completion = await llm.complete_json(CONVERSATION, Tailoring, name="tailoring")

    assert len(server.chat_requests) == 2
    assert len(waits.seconds) == 1
    assert completion.value == Tailoring(**VALID)
    assert completion.attempts == 1


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
async def test_without_usage_tokens_are_estimated_from_length(
    server: FakeOpenAI, waits: Waits, stream: bool
) -> None:
    server.reply(VALID, usage=False)

    async with OpenAIChatModel(server.base_url, KEY, MODEL, stream=stream, sleep=waits) as llm:
        completion = await llm.complete_json(CONVERSATION, Tailoring, name="tailoring")

    assert completion.estimated_tokens
    assert completion.completion_tokens == math.ceil(len(json.dumps(VALID)) / 4)
    # The prompt's messages alone set a floor; the schema sent with them adds to it.
    floor = math.ceil(sum(len(m.content) for m in CONVERSATION) / 4)
    assert completion.prompt_tokens > floor


async def test_an_unreachable_server_is_retried_then_reported(waits: Waits) -> None:
    # A bound port nobody listens on refuses connections at once.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
        async with OpenAIChatModel(url, KEY, MODEL, max_retries=2, sleep=waits) as llm:
            with pytest.raises(LlmError) as raised:
                await ask(llm)

    assert raised.value.reason == "unreachable"
    assert raised.value.provider_status is None
    assert "could not be reached" in str(raised.value)
    assert len(waits.seconds) == 2


async def test_settings_choose_the_model_key_mode_and_streaming(server: FakeOpenAI) -> None:
    settings = LlmSettings(
        provider="openai-compatible",
        base_url=server.base_url,
        api_key=SecretStr(KEY),
        model="llama3.1:8b",
        stream=True,
        json_mode="json_object",
        temperature=0.7,
    )
    server.reply(VALID)

    llm = OpenAIChatModel.from_settings(settings)
    try:
        completion = await llm.complete_json(CONVERSATION, Tailoring, name="tailoring")
    finally:
        await llm.aclose()

    assert llm.provider == "openai-compatible"
    assert llm.model_id == "llama3.1:8b"
    assert completion.model == "llama3.1:8b"
    request = server.chat_requests[0]
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.body["model"] == "llama3.1:8b"
    assert request.body["temperature"] == 0.7
    assert request.body["stream"] is True
    assert request.body["response_format"] == {"type": "json_object"}


async def test_a_server_that_ignores_stream_and_answers_whole_is_understood(
    server: FakeOpenAI, waits: Waits
) -> None:
    whole = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": json.dumps(VALID)},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 40, "completion_tokens": 12, "total_tokens": 52},
    }
    server.raw_next(json.dumps(whole).encode())

    async with OpenAIChatModel(server.base_url, KEY, MODEL, stream=True, sleep=waits) as llm:
        completion = await llm.complete_json(CONVERSATION, Tailoring, name="tailoring")

    assert completion.value == Tailoring(**VALID)
    assert (completion.prompt_tokens, completion.completion_tokens) == (40, 12)
    assert waits.seconds == []
