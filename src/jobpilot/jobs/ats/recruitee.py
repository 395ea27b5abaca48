"""Recruitee: the public Careers Site API (`{company}.recruitee.com/api/offers/`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from jobpilot.jobs.ats._util import (
    dict_of,
    dicts_in,
    json_body,
    list_of,
    number_or_none,
    parse_datetime,
    scalar_text,
    split_url,
    subdomain_of,
    text_or_none,
    unique,
)
from jobpilot.jobs.ats.base import (
    AtsError,
    AtsHttp,
    AtsPosting,
    BoardNotFound,
    BoardRef,
    FormQuestion,
    QuestionType,
)

DOMAIN = "recruitee.com"
# Recruitee's own sites, not careers sites.
RESERVED = frozenset({"www", "app", "api", "docs", "blog", "support", "help", "status"})
QUESTION_TYPES: dict[str, QuestionType] = {
    "boolean": "boolean",
    "string": "text",
    "text": "textarea",
    "single_choice": "select",
    "multi_choice": "multi_select",
    "date": "date",
    "number": "number",
    "file": "file",
}
# The candidate fields every offer has, and the `options_*` setting that shows them.
STANDARD_FIELDS: tuple[tuple[str, str, QuestionType, str | None], ...] = (
    ("name", "Full name", "text", None),
    ("email", "Email", "email", None),
    ("phone", "Phone", "phone", "options_phone"),
    ("cv", "CV", "file", "options_cv"),
    ("cover_letter", "Cover letter", "file", "options_cover_letter"),
    ("photo", "Photo", "file", "options_photo"),
)


class RecruiteeAdapter:
    """Recruitee careers sites on `{company}.recruitee.com`."""

    name = "recruitee"

    def detect(self, url: str) -> BoardRef | None:
        """The company (and offer slug) of a Recruitee careers, offer or apply URL."""
        split = split_url(url)
        if split is None:
            return None
        company = subdomain_of(split.host, DOMAIN)
        if company is None or company in RESERVED:
            return None
        parts = split.parts
        slug = parts[1] if len(parts) >= 2 and parts[0] == "o" else None
        return BoardRef(ats=self.name, tenant=company, posting_id=slug)

    async def list_postings(self, http: AtsHttp, board: BoardRef) -> list[AtsPosting]:
        """Every published offer; Recruitee returns them all in one response."""
        return [self._posting(board, offer) for offer in await self._offers(http, board)]

    async def get_posting(self, http: AtsHttp, board: BoardRef, posting_id: str) -> AtsPosting:
        """One offer by id or slug, with its description and requirements."""
        return self._posting(board, await self._offer(http, board, posting_id))

    async def get_application_form(
        self, http: AtsHttp, board: BoardRef, posting_id: str
    ) -> list[FormQuestion]:
        """The candidate fields the offer shows, then its screening (`open_questions`)."""
        offer = await self._offer(http, board, posting_id)
        questions: list[FormQuestion] = []
        for key, label, kind, setting in STANDARD_FIELDS:
            state = "required" if setting is None else str(offer.get(setting) or "optional")
            if state == "off":
                continue
            questions.append(FormQuestion(key, label, kind, required=state == "required"))
        open_questions = sorted(
            dicts_in(offer.get("open_questions")),
            key=lambda q: number_or_none(q.get("position")) or 0.0,
        )
        for question in open_questions:
            question_id = scalar_text(question.get("id"))
            if question_id is None:
                continue
            options = question.get("options")
            length = number_or_none(options.get("length")) if isinstance(options, dict) else None
            kind = QUESTION_TYPES.get(str(question.get("kind")), "text")
            questions.append(
                FormQuestion(
                    key=f"open_question_{question_id}",
                    label=text_or_none(question.get("body")) or "",
                    type=kind,
                    required=question.get("required") is True,
                    options=tuple(
                        body
                        for option in dicts_in(question.get("open_question_options"))
                        if (body := text_or_none(option.get("body")))
                    ),
                    # `options.length` bounds one-line answers; other kinds carry it unused.
                    max_length=int(length) if length and question.get("kind") == "string" else None,
                )
            )
        return questions

    def parse_payload(self, board: BoardRef, body: str) -> list[AtsPosting]:
        """Postings of the offers list (`{"offers": [...]}`); single offers are read from it
        too, so it is the only body this adapter receives."""
        data = json_body(body)
        if isinstance(data, dict) and "offers" in data:
            return [self._posting(board, offer) for offer in _offer_list(data)]
        raise AtsError("The body is not a Recruitee offers list.")

    async def _offers(self, http: AtsHttp, board: BoardRef) -> list[dict[str, Any]]:
        return _offer_list(await http.json("GET", f"https://{board.tenant}.{DOMAIN}/api/offers/"))

    async def _offer(self, http: AtsHttp, board: BoardRef, posting_id: str) -> dict[str, Any]:
        # The detail endpoint (`/api/offers/{id}` -> {"offer": ...}) answers one offer; the
        # list carries the same fields, so a board without the detail still answers.
        try:
            detail = await http.json(
                "GET", f"https://{board.tenant}.{DOMAIN}/api/offers/{quote(posting_id, safe='')}"
            )
        except (BoardNotFound, AtsError):
            detail = None
        if isinstance(detail, dict) and isinstance(detail.get("offer"), dict):
            return dict(detail["offer"])
        for offer in await self._offers(http, board):
            if posting_id in (scalar_text(offer.get("id")), offer.get("slug"), offer.get("guid")):
                return offer
        raise BoardNotFound

    def _posting(self, board: BoardRef, offer: dict[str, Any]) -> AtsPosting:
        source_id = scalar_text(offer.get("id"))
        title = text_or_none(offer.get("title"))
        if source_id is None or title is None:
            raise AtsError("The job board sent an offer without an id or title.")
        places = [_place(loc) for loc in dicts_in(offer.get("locations"))]
        description = text_or_none(offer.get("description")) or ""
        requirements = text_or_none(offer.get("requirements")) or ""
        posting = AtsPosting(
            ats=self.name,
            tenant=board.tenant,
            source_id=source_id,
            title=title,
            url=text_or_none(offer.get("careers_url")),
            apply_url=text_or_none(offer.get("careers_apply_url")),
            company_name=text_or_none(offer.get("company_name")),
            department=text_or_none(offer.get("department")),
            employment_type=text_or_none(offer.get("employment_type_code")),
            locations=unique([text_or_none(offer.get("location")) or "", *places]),
            workplace=_workplace(offer),
            description_html=(description + requirements) or None,
            posted_at=parse_datetime(offer.get("published_at")),
            updated_at=parse_datetime(offer.get("updated_at")),
            closed=offer.get("status") not in (None, "published"),
            raw=offer,
        )
        salary = offer.get("salary")
        if isinstance(salary, dict):
            posting.salary_min = number_or_none(salary.get("min"))
            posting.salary_max = number_or_none(salary.get("max"))
            posting.salary_currency = text_or_none(salary.get("currency"))
            posting.salary_period = text_or_none(salary.get("period"))
        return posting


def _offer_list(body: Any) -> list[dict[str, Any]]:
    """The offers of an offers list body."""
    return dicts_in(list_of(dict_of(body, "offers").get("offers"), "offers"))


def _place(location: dict[str, Any]) -> str:
    """ "City, State, Country" of one entry of `locations[]`."""
    parts = [text_or_none(location.get(k)) for k in ("city", "state", "country")]
    return ", ".join(p for p in parts if p)


def _workplace(offer: dict[str, Any]) -> str | None:
    if offer.get("hybrid") is True:
        return "hybrid"
    if offer.get("remote") is True:
        return "remote"
    if offer.get("on_site") is True:
        return "onsite"
    return None
