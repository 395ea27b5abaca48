"""Greenhouse: the public Job Board API (`boards-api.greenhouse.io`)."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from jobpilot.jobs.ats._html import Node, has_application_form, parse_html
from jobpilot.jobs.ats._util import (
    SLUG_RE,
    clean_or_none,
    dict_of,
    dicts_in,
    first_per_id,
    form_error,
    json_body,
    list_of,
    number_or_none,
    parse_datetime,
    scalar_text,
    split_url,
    text_or_none,
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

API = "https://boards-api.greenhouse.io/v1/boards"
BOARD_HOSTS = frozenset(
    {
        "boards.greenhouse.io",
        "job-boards.greenhouse.io",
        "boards.eu.greenhouse.io",
        "job-boards.eu.greenhouse.io",
    }
)
API_HOST = "boards-api.greenhouse.io"
# The detail query the hosted form itself uses: questions plus pay, location, EEO and survey.
DETAIL_QUERY = (
    "compliance=true&demographic_questions=true&location_questions=true"
    "&pay_transparency=true&questions=true"
)
# Greenhouse's hosted form states "Accepted file types: pdf, doc, docx, txt, rtf" under every
# file box; the JSON definition does not repeat it.
FILE_TYPES = (".pdf", ".doc", ".docx", ".txt", ".rtf")
# A post link on the legacy hosted board page: `/{board}/jobs/{id}`.
_BOARD_PAGE_POST = re.compile(r"/jobs/(?P<id>\d+)(?:[/?#]|$)")
_SECTION_HEADINGS = ("h3", "h4", "h5", "h6")
FIELD_TYPES: dict[str, QuestionType] = {
    "input_text": "text",
    "textarea": "textarea",
    "input_file": "file",
    "input_hidden": "hidden",
    "multi_value_single_select": "select",
    "multi_value_multi_select": "multi_select",
}


class GreenhouseAdapter:
    """Greenhouse boards: `boards.greenhouse.io`, `job-boards.greenhouse.io` and the EU hosts."""

    name = "greenhouse"

    def detect(self, url: str) -> BoardRef | None:
        """The board and post a Greenhouse URL names (hosted, embedded, EU or API URLs)."""
        split = split_url(url)
        if split is None:
            return None
        parts = split.parts
        if split.host == API_HOST:
            # boards-api.greenhouse.io/v1/boards/{board}[/jobs/{id}]
            if len(parts) >= 3 and parts[:2] == ("v1", "boards"):
                return self._ref(parts[2], _post_id(parts[3:]), None)
            return None
        if split.host not in BOARD_HOSTS:
            return None
        host = split.host if ".eu." in split.host else None
        if parts and parts[0] == "embed":
            board = split.first("for")
            if board is None:
                # `embed/job_app?token=` alone needs a request to learn the board.
                return None
            token = split.first("token") if parts[1:2] == ("job_app",) else None
            return self._ref(board, token if token and token.isdigit() else None, host)
        if not parts:
            return None
        return self._ref(parts[0], _post_id(parts[1:]) or _gh_jid(split.first("gh_jid")), host)

    def _ref(self, board: str, post_id: str | None, host: str | None) -> BoardRef | None:
        if not SLUG_RE.match(board):
            return None
        return BoardRef(ats=self.name, tenant=board, posting_id=post_id, host=host)

    async def list_postings(self, http: AtsHttp, board: BoardRef) -> list[AtsPosting]:
        """Every published post of the board; Greenhouse returns them all in one response."""
        body = await http.json("GET", f"{API}/{_seg(board.tenant)}/jobs?content=true")
        return self._job_list(board, body)

    async def get_posting(self, http: AtsHttp, board: BoardRef, posting_id: str) -> AtsPosting:
        """One post with its description and pay ranges."""
        return self._posting(board, await self._detail(http, board, posting_id))

    def parse_payload(self, board: BoardRef, body: str) -> list[AtsPosting]:
        """Postings of a Job Board API list (`{"jobs": [...]}`), one post's detail (with or
        without its questions), or the legacy hosted board page (`div.opening` rows)."""
        if body.lstrip().startswith("<"):
            return self._board_page(board, body)
        data = json_body(body)
        if isinstance(data, dict) and "jobs" in data:
            return self._job_list(board, data)
        if isinstance(data, dict) and "id" in data:
            return [self._posting(board, data)]
        if isinstance(data, dict) and "questions" in data:
            raise form_error()
        raise AtsError("The body is not a Greenhouse job list or job.")

    async def get_application_form(
        self, http: AtsHttp, board: BoardRef, posting_id: str
    ) -> list[FormQuestion]:
        """The post's questions, then its EEO (compliance) and demographic survey questions."""
        job = await self._detail(http, board, posting_id)
        questions: list[FormQuestion] = []
        for question in dicts_in(job.get("questions")):
            questions.extend(_fields(question))
        for block in dicts_in(job.get("compliance")):
            for question in dicts_in(block.get("questions")):
                questions.extend(_fields(question))
        survey = job.get("demographic_questions")
        if isinstance(survey, dict):
            questions.extend(_survey_question(q) for q in dicts_in(survey.get("questions")))
        return questions

    async def _detail(self, http: AtsHttp, board: BoardRef, posting_id: str) -> dict[str, Any]:
        url = f"{API}/{_seg(board.tenant)}/jobs/{_seg(posting_id)}?{DETAIL_QUERY}"
        job = dict_of(await http.json("GET", url), "job")
        if scalar_text(job.get("id")) is None:
            raise BoardNotFound
        return job

    def _job_list(self, board: BoardRef, body: Any) -> list[AtsPosting]:
        jobs = list_of(dict_of(body, "job list").get("jobs"), "job list")
        return [self._posting(board, job) for job in dicts_in(jobs)]

    def _board_page(self, board: BoardRef, page: str) -> list[AtsPosting]:
        """The `div.opening` rows of a hosted board page, under their department headings."""
        root = parse_html(page)
        openings = root.find_all("div", cls="opening")
        if not openings:
            if has_application_form(root):
                raise form_error()
            if root.find(id="board_title") is None:
                raise AtsError("The page is not a Greenhouse job board.")
        base = f"https://{board.host or 'boards.greenhouse.io'}/{_seg(board.tenant)}"
        postings: list[AtsPosting] = []
        for opening in openings:
            link = opening.find("a")
            href = urljoin(base, link.get("href") or "") if link else ""
            found = _BOARD_PAGE_POST.search(urlsplit(href).path)
            title = link.text() if link else ""
            if found is None or not title:
                continue
            location = opening.find("span", cls="location")
            place = location.text() if location else ""
            postings.append(
                AtsPosting(
                    ats=self.name,
                    tenant=board.tenant,
                    source_id=found["id"],
                    title=title,
                    url=href,
                    apply_url=href,
                    department=_department(opening),
                    locations=[place] if place else [],
                    raw={"href": link.get("href") if link else None},
                )
            )
        return first_per_id(postings)

    def _posting(self, board: BoardRef, job: dict[str, Any]) -> AtsPosting:
        source_id = scalar_text(job.get("id"))
        title = text_or_none(job.get("title"))
        if source_id is None or title is None:
            raise AtsError("The job board sent a job without an id or title.")
        location = job.get("location")
        locations = []
        if isinstance(location, dict) and (name := text_or_none(location.get("name"))):
            locations.append(name)
        departments = [text_or_none(d.get("name")) for d in dicts_in(job.get("departments"))]
        content = text_or_none(job.get("content"))
        url = text_or_none(job.get("absolute_url"))
        posting = AtsPosting(
            ats=self.name,
            tenant=board.tenant,
            source_id=source_id,
            title=title,
            url=url,
            apply_url=url,
            company_name=text_or_none(job.get("company_name")),
            department=next((d for d in departments if d), None),
            locations=locations,
            # `content` is entity-escaped HTML: unescape exactly once.
            description_html=html.unescape(content) if content else None,
            posted_at=parse_datetime(job.get("first_published")),
            updated_at=parse_datetime(job.get("updated_at")),
            raw=job,
        )
        ranges = dicts_in(job.get("pay_input_ranges"))
        if ranges:
            pay = ranges[0]
            low, high = number_or_none(pay.get("min_cents")), number_or_none(pay.get("max_cents"))
            posting.salary_min = low / 100 if low is not None else None
            posting.salary_max = high / 100 if high is not None else None
            posting.salary_currency = text_or_none(pay.get("currency_type"))
            posting.salary_text = text_or_none(pay.get("blurb")) or text_or_none(pay.get("title"))
        return posting


def _department(opening: Node) -> str | None:
    """The heading of the board page section holding an opening (its innermost department)."""
    section = opening.ancestor("section")
    while section is not None:
        for child in section.children:
            if isinstance(child, Node) and child.tag in _SECTION_HEADINGS:
                return clean_or_none(child.text())
        section = section.ancestor("section")
    return None


def _fields(question: dict[str, Any]) -> list[FormQuestion]:
    """One FormQuestion per input of a question; only its first input carries `required`.

    Greenhouse offers alternatives inside one question (a resume file or typed resume text);
    either answers it, so the alternatives are marked optional.
    """
    label = text_or_none(question.get("label")) or ""
    required = question.get("required") is True
    out: list[FormQuestion] = []
    for index, field in enumerate(dicts_in(question.get("fields"))):
        key = text_or_none(field.get("name"))
        if key is None:
            continue
        kind = FIELD_TYPES.get(str(field.get("type")), "text")
        options = tuple(
            label_text
            for value in dicts_in(field.get("values"))
            if (label_text := text_or_none(value.get("label")))
        )
        out.append(
            FormQuestion(
                key=key,
                label=label,
                type=kind,
                required=required and index == 0,
                options=options,
                file_types=FILE_TYPES if kind == "file" else (),
            )
        )
    return out


def _survey_question(question: dict[str, Any]) -> FormQuestion:
    """A demographic survey question (answered by option ids, keyed by question id)."""
    kind = FIELD_TYPES.get(str(question.get("type")), "text")
    return FormQuestion(
        key=f"demographic_question_{scalar_text(question.get('id'))}",
        label=text_or_none(question.get("label")) or "",
        type=kind,
        required=question.get("required") is True,
        options=tuple(
            label
            for option in dicts_in(question.get("answer_options"))
            if (label := text_or_none(option.get("label")))
        ),
    )


def _post_id(rest: tuple[str, ...]) -> str | None:
    """The post id in `jobs/{id}[/...]`."""
    if len(rest) >= 2 and rest[0] == "jobs" and rest[1].isdigit():
        return rest[1]
    return None


def _gh_jid(value: str | None) -> str | None:
    return value if value and value.isdigit() else None


def _seg(value: str) -> str:
    return quote(value, safe="")
