"""Paylocity: the `window.pageData` JSON embedded in `recruiting.paylocity.com` pages."""

from __future__ import annotations

import json
import re
from typing import Any

from jobpilot.jobs.ats._util import (
    dict_of,
    dict_or_empty,
    embedded_json,
    first_per_id,
    form_error,
    list_of,
    list_or_empty,
    parse_datetime,
    scalar_text,
    split_url,
)
from jobpilot.jobs.ats.base import (
    AtsError,
    AtsHttp,
    AtsPosting,
    BoardRef,
    FormQuestion,
    QuestionType,
)

HOST = "recruiting.paylocity.com"
BASE = f"https://{HOST}/Recruiting/Jobs"
PAGE_DATA = "window.pageData ="

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_LD_JSON = re.compile(
    r"<script[^>]*type=[\"']application/ld\+json[\"'][^>]*>(.*?)</script>",
    re.IGNORECASE | re.DOTALL,
)
_FIELD_TYPES: dict[str, QuestionType] = {
    "emailAddress": "email",
    "email": "email",
    "cellPhone": "phone",
    "homePhone": "phone",
    "phone": "phone",
    "linkedIn": "url",
    "dateOfBirth": "date",
    # An upload box on the wizard (`btn-coverLetter`), not a text answer.
    "uploadCoverLetter": "file",
}
_RESUME_TYPES = (".doc", ".docx", ".pdf")
_DETAILS_ID = re.compile(r"/Jobs/Details/(\d+)(?:[/?#]|$)", re.IGNORECASE)


def _job_posting_ld(html: str) -> dict[str, Any] | None:
    """The schema.org JobPosting among a page's JSON-LD blocks."""
    for block in _LD_JSON.findall(html):
        try:
            data = json.loads(block)
        except ValueError:
            continue
        for candidate in data if isinstance(data, list) else [data]:
            if dict_or_empty(candidate).get("@type") == "JobPosting":
                return dict_or_empty(candidate)
    return None


def _address_text(address: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    parts = [scalar_text(address.get(key)) for key in keys]
    return ", ".join(part for part in parts if part) or None


def questions_from_apply_page_data(page_data: Any) -> list[FormQuestion]:
    """The apply wizard's questions: included section fields, then the employer's screener."""
    data = dict_or_empty(page_data)
    questions: list[FormQuestion] = []
    if "requireResume" in data:
        required = data.get("requireResume") is True
        questions.append(
            FormQuestion("resume", "Resume", "file", required=required, file_types=_RESUME_TYPES)
        )
    for raw_section in list_or_empty(
        dict_or_empty(data.get("customJobApplication")).get("sections")
    ):
        section = dict_or_empty(raw_section)
        section_name = scalar_text(section.get("name"))
        if section.get("isIncluded") is False or section_name is None:
            continue
        for raw_field in list_or_empty(section.get("fields")):
            field = dict_or_empty(raw_field)
            name = scalar_text(field.get("name"))
            if name is None or field.get("isIncluded") is not True:
                continue
            options = tuple(
                label
                for value in list_or_empty(field.get("values"))
                if (
                    label := scalar_text(dict_or_empty(value).get("label"))
                    or scalar_text(dict_or_empty(value).get("value"))
                )
            )
            kind: QuestionType = "select" if options else _FIELD_TYPES.get(name, "text")
            questions.append(
                FormQuestion(
                    f"{section_name}.{name}",
                    scalar_text(field.get("displayName")) or name,
                    kind,
                    required=field.get("isRequired") is True,
                    options=options,
                )
            )
    for index, raw_question in enumerate(
        list_or_empty(dict_or_empty(data.get("screener")).get("questions"))
    ):
        question = dict_or_empty(raw_question)
        title = scalar_text(question.get("title"))
        if title is None:
            continue
        # Graded screeners mark answers `isCorrect`; only the answer texts are read.
        answers = tuple(
            label
            for answer in list_or_empty(question.get("answers"))
            if (label := scalar_text(dict_or_empty(answer).get("title")))
        )
        kind = "text"
        if scalar_text(question.get("questionType")) == "multi":
            kind = "multi_select" if question.get("allowsMultipleResponses") is True else "select"
        key = (
            scalar_text(question.get("id")) or scalar_text(question.get("questionId")) or str(index)
        )
        questions.append(
            FormQuestion(
                f"screener.{key}",
                title,
                kind,
                required=question.get("isRequired") is True,
                options=answers if kind != "text" else (),
            )
        )
    return questions


def _details_id(job: dict[str, Any]) -> str | None:
    """The job id in a JobPosting's `url` (`.../Recruiting/Jobs/Details/{id}`)."""
    found = _DETAILS_ID.search(scalar_text(job.get("url")) or "")
    return found[1] if found else None


class PaylocityAdapter:
    """Paylocity job boards (`recruiting.paylocity.com/Recruiting/Jobs/All/{companyGuid}`)."""

    name = "paylocity"

    def detect(self, url: str) -> BoardRef | None:
        """The company board or job of a Paylocity recruiting URL.

        A Details/Apply URL names only the job, so its BoardRef has an empty tenant.
        """
        split = split_url(url)
        if split is None:
            return None
        host, segments = split.host, list(split.parts)
        lowered = [segment.lower() for segment in segments]
        if host != HOST or len(segments) < 4 or lowered[:2] != ["recruiting", "jobs"]:
            return None
        kind, value = lowered[2], segments[3]
        if kind == "all" and _GUID.match(value.lower()):
            guid = value.lower()
            return BoardRef(self.name, guid, site=guid)
        if kind in ("details", "apply") and value.isdigit():
            return BoardRef(self.name, "", value)
        return None

    async def _page_data(self, http: AtsHttp, url: str) -> dict[str, Any]:
        return dict_of(embedded_json(await http.text("GET", url), PAGE_DATA), "page")

    async def list_postings(self, http: AtsHttp, board: BoardRef) -> list[AtsPosting]:
        """Every public job of the board page (one page; internal jobs skipped)."""
        guid = (board.site or board.tenant).lower()
        if not _GUID.match(guid):
            raise AtsError("A Paylocity board needs the company GUID.")
        return self._board_jobs(board, await self._page_data(http, f"{BASE}/All/{guid}"))

    def parse_payload(self, board: BoardRef, body: str) -> list[AtsPosting]:
        """Postings of a board page (`window.pageData` with `Jobs`) or of a Details page
        (schema.org JobPosting, named by `board.posting_id` or its `/Jobs/Details/{id}` URL).
        An Apply page's `window.pageData` (the wizard definition) is refused as a form."""
        data = dict_or_empty(embedded_json(body, PAGE_DATA)) if PAGE_DATA in body else {}
        if "Jobs" in data:
            return self._board_jobs(board, data)
        job = _job_posting_ld(body)
        if job is not None:
            posting_id = board.posting_id or _details_id(job)
            if posting_id is None:
                raise AtsError("The Paylocity job page names no job id.")
            return [self._from_details(board, job, posting_id)]
        if "customJobApplication" in data or "screener" in data:
            raise form_error()
        raise AtsError("The body is not a Paylocity job board or job page.")

    def _board_jobs(self, board: BoardRef, page_data: dict[str, Any]) -> list[AtsPosting]:
        """The public jobs of a board page's `window.pageData` (internal jobs skipped)."""
        data = dict_of(page_data, "job list", "Jobs")
        company = scalar_text(data.get("ModuleTitle"))
        jobs = [
            dict_of(item, "job", "JobId", "JobTitle") for item in list_of(data["Jobs"], "job list")
        ]
        return first_per_id(
            self._from_job(board, job, company) for job in jobs if job.get("IsInternal") is not True
        )

    def _from_job(self, board: BoardRef, job: dict[str, Any], company: str | None) -> AtsPosting:
        source_id, title = scalar_text(job.get("JobId")), scalar_text(job.get("JobTitle"))
        if source_id is None or title is None:
            raise AtsError("A Paylocity job lacks its id or title.")
        address = dict_or_empty(job.get("JobLocation"))
        location = _address_text(address, ("City", "State", "Country")) or scalar_text(
            job.get("LocationName")
        )
        return AtsPosting(
            ats=self.name,
            tenant=board.tenant,
            source_id=source_id,
            title=title,
            url=f"{BASE}/Details/{source_id}",
            apply_url=f"{BASE}/Apply/{source_id}",
            company_name=company,
            department=scalar_text(job.get("HiringDepartment")),
            locations=[location] if location else [],
            workplace="remote" if job.get("IsRemote") is True else None,
            description_html=scalar_text(job.get("Description")),
            posted_at=parse_datetime(job.get("PublishedDate")),
            raw=job,
        )

    async def get_posting(self, http: AtsHttp, board: BoardRef, posting_id: str) -> AtsPosting:
        """One job from its Details page's schema.org JobPosting."""
        if not posting_id.isdigit():
            raise AtsError("A Paylocity job id is a number.")
        job = _job_posting_ld(await http.text("GET", f"{BASE}/Details/{posting_id}"))
        if job is None:
            raise AtsError("The Paylocity job page holds no JobPosting data.")
        return self._from_details(board, job, posting_id)

    def _from_details(self, board: BoardRef, job: dict[str, Any], posting_id: str) -> AtsPosting:
        """A Details page's schema.org JobPosting."""
        title = scalar_text(job.get("title"))
        if title is None:
            raise AtsError("The Paylocity job page holds no JobPosting data.")
        locations = []
        places = job.get("jobLocation")
        for place in places if isinstance(places, list) else [places]:
            address = dict_or_empty(dict_or_empty(place).get("address"))
            keys = ("addressLocality", "addressRegion", "addressCountry")
            if (name := _address_text(address, keys)) and name not in locations:
                locations.append(name)
        salary = dict_or_empty(job.get("baseSalary"))
        amount = dict_or_empty(salary.get("value"))
        employment = job.get("employmentType")
        if isinstance(employment, list):
            employment = ", ".join(value for value in employment if isinstance(value, str))

        def number(value: Any) -> float | None:
            is_number = isinstance(value, int | float) and not isinstance(value, bool)
            return float(value) if is_number else None

        return AtsPosting(
            ats=self.name,
            tenant=board.tenant,
            source_id=posting_id,
            title=title,
            url=f"{BASE}/Details/{posting_id}",
            apply_url=f"{BASE}/Apply/{posting_id}",
            company_name=scalar_text(dict_or_empty(job.get("hiringOrganization")).get("name")),
            employment_type=scalar_text(employment),
            locations=locations,
            workplace="remote"
            if scalar_text(job.get("jobLocationType")) == "TELECOMMUTE"
            else None,
            description_html=scalar_text(job.get("description")),
            posted_at=parse_datetime(job.get("datePosted")),
            salary_min=number(amount.get("minValue")),
            salary_max=number(amount.get("maxValue", amount.get("value"))),
            salary_currency=scalar_text(salary.get("currency")),
            salary_period=scalar_text(amount.get("unitText")),
            raw=job,
        )

    async def get_application_form(
        self, http: AtsHttp, board: BoardRef, posting_id: str
    ) -> list[FormQuestion] | None:
        """The wizard's questions from the Apply page's `window.pageData`, if it holds them."""
        if not posting_id.isdigit():
            raise AtsError("A Paylocity job id is a number.")
        data = await self._page_data(http, f"{BASE}/Apply/{posting_id}")
        if "customJobApplication" not in data and "screener" not in data:
            return None
        return questions_from_apply_page_data(data)
