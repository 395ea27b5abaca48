"""The port every ATS adapter implements, and what adapters hand to the normaliser.

An adapter knows one ATS: how to recognise its URLs, which public endpoints list and describe
postings, and how its application form is described. It returns `AtsPosting`s close to the
source (raw location text, raw salary fields, HTML description); turning those into JobPilot's
normalised postings is the normaliser's job, so every ATS quirk stays in its adapter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

import httpx

from jobpilot.kit.errors import BadRequest, ServiceUnavailable

QuestionType = Literal[
    "text",
    "textarea",
    "email",
    "phone",
    "url",
    "number",
    "date",
    "boolean",
    "select",
    "multi_select",
    "file",
    "hidden",
]


@dataclass(frozen=True)
class BoardRef:
    """One ATS board: the ATS, its tenant, and (when the URL named one) a posting."""

    ats: str
    tenant: str
    posting_id: str | None = None
    # Where the tenant lives when the ATS has several hosts (EU variants, Workday shards).
    host: str | None = None
    # Extra path parts some ATSs need (Workday's site, Paylocity's company GUID).
    site: str | None = None


@dataclass
class AtsPosting:
    """A posting as one ATS describes it, lightly cleaned but not normalised."""

    ats: str
    tenant: str
    source_id: str
    title: str
    url: str | None = None
    apply_url: str | None = None
    company_name: str | None = None
    department: str | None = None
    employment_type: str | None = None
    locations: list[str] = field(default_factory=list)
    # "remote", "hybrid" or "onsite" when the ATS says so in a structured field.
    workplace: str | None = None
    description_html: str | None = None
    posted_at: datetime | None = None
    # Relative text such as "Posted 30+ Days Ago" when the ATS gives no date.
    posted_text: str | None = None
    updated_at: datetime | None = None
    salary_min: float | None = None
    salary_max: float | None = None
    salary_currency: str | None = None
    salary_period: str | None = None
    salary_text: str | None = None
    closed: bool = False
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FormQuestion:
    """One field of an application form, normalised across ATSs."""

    key: str
    label: str
    type: QuestionType
    required: bool = False
    options: tuple[str, ...] = ()
    max_length: int | None = None
    file_types: tuple[str, ...] = ()


class AtsError(ServiceUnavailable):
    """The ATS answered with an error, an unexpected payload, or not at all."""

    code = "ats_error"
    default_message = "The job board could not be read."


class BoardNotFound(BadRequest):
    """The ATS has no such board or posting."""

    status = 404
    code = "board_not_found"
    default_message = "The job board or posting does not exist."


class AtsHttp:
    """HTTP for adapters: timeouts, JSON decoding, errors as AtsError/BoardNotFound.

    `rewrite` maps each real URL to the one actually requested; tests point every host at a
    local server that serves the captured payloads at `/<host>/<real path>`.
    """

    def __init__(
        self, client: httpx.AsyncClient, *, rewrite: Callable[[str], str] | None = None
    ) -> None:
        self.client = client
        self.rewrite = rewrite or (lambda url: url)

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send, raising BoardNotFound on 404/410 and AtsError on other failures."""
        try:
            response = await self.client.request(
                method,
                self.rewrite(url),
                timeout=kwargs.pop("timeout", httpx.USE_CLIENT_DEFAULT),
                **kwargs,
            )
        except httpx.HTTPError as exc:
            raise AtsError(f"The job board did not answer: {type(exc).__name__}.") from exc
        if response.status_code in (404, 410):
            raise BoardNotFound
        if response.status_code >= 400:
            retry_after = response.headers.get("retry-after")
            raise AtsError(
                f"The job board answered {response.status_code}.",
                details={"status": response.status_code, "retry_after": retry_after},
            )
        return response

    async def json(self, method: str, url: str, **kwargs: Any) -> Any:
        """The decoded JSON body; AtsError if it is not JSON."""
        response = await self.request(method, url, **kwargs)
        try:
            return response.json()
        except ValueError as exc:
            raise AtsError("The job board sent something other than JSON.") from exc

    async def text(self, method: str, url: str, **kwargs: Any) -> str:
        """The body as text."""
        return (await self.request(method, url, **kwargs)).text


class AtsAdapter(Protocol):
    """One ATS's public job board."""

    name: str

    def detect(self, url: str) -> BoardRef | None:
        """The board (and posting) a careers URL points at, if it belongs to this ATS."""

    async def list_postings(self, http: AtsHttp, board: BoardRef) -> list[AtsPosting]:
        """Every open posting of the board (all pages)."""

    async def get_posting(self, http: AtsHttp, board: BoardRef, posting_id: str) -> AtsPosting:
        """One posting with its full description."""

    async def get_application_form(
        self, http: AtsHttp, board: BoardRef, posting_id: str
    ) -> list[FormQuestion] | None:
        """The application form's questions, or None where the ATS publishes no definition."""

    def parse_payload(self, board: BoardRef, body: str) -> list[AtsPosting]:
        """The postings in one response body of this ATS's public listing or posting-detail
        endpoint, exactly as list_postings/get_posting receive it. Raises AtsError when the body
        is not one (an application form, an unrelated page, malformed JSON/XML)."""
