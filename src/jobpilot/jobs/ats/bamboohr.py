"""BambooHR: the public careers JSON behind `{company}.bamboohr.com/careers`."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from jobpilot.jobs.ats._util import (
    dict_of,
    dict_or_empty,
    form_error,
    get_unless_redirected,
    json_body,
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
    BoardNotFound,
    BoardRef,
    FormQuestion,
    QuestionType,
)

_HOST = re.compile(r"^(?P<co>[a-z0-9][a-z0-9-]*)\.bamboohr\.com$")
_NOT_TENANTS = {"www", "api", "app", "help", "partners", "marketplace", "status"}
_SHARE_URL_ID = re.compile(r"/careers/(\d+)(?:[/?#]|$)")

# Standard boxes of `result.formFields`, in page order: key -> (label, type).
_STANDARD: dict[str, tuple[str, QuestionType]] = {
    "firstName": ("First Name", "text"),
    "lastName": ("Last Name", "text"),
    "email": ("Email", "email"),
    "phone": ("Phone", "phone"),
    "streetAddress": ("Address", "text"),
    "city": ("City", "text"),
    "state": ("State", "select"),
    "zip": ("ZIP", "text"),
    "countryId": ("Country", "select"),
    "resumeFileId": ("Resume", "file"),
    "coverLetterFileId": ("Cover Letter", "file"),
    "dateAvailable": ("Date Available", "date"),
    "desiredPay": ("Desired Pay", "text"),
    "linkedinUrl": ("LinkedIn Profile URL", "url"),
    "websiteUrl": ("Website, Blog, or Portfolio", "url"),
    "educationLevelId": ("Highest Education Obtained", "select"),
    "educationInstitutionName": ("College/University", "text"),
    "referredBy": ("Who referred you for this position?", "text"),
    "references": ("References", "textarea"),
    "genderId": ("Gender", "select"),
    "ethnicityId": ("Ethnicity", "select"),
    "veteranStatusId": ("Veteran Status", "select"),
    "disabilityId": ("Disability", "select"),
}
_CUSTOM: dict[str, QuestionType] = {
    "yes_no": "boolean",
    "short": "text",
    "long": "textarea",
    "multi": "select",
    "file": "file",
}


def _options(value: Any) -> tuple[str, ...]:
    labels = (
        scalar_text(option) or scalar_text(dict_or_empty(option).get("text"))
        for option in list_or_empty(value)
    )
    return tuple(label for label in labels if label)


def questions_from_form_fields(form_fields: Any) -> list[FormQuestion]:
    """The questions of a detail's `result.formFields` (a turned-off field is `[]`)."""
    fields = dict_or_empty(form_fields)
    questions: list[FormQuestion] = []
    for key, spec in fields.items():
        if key == "customQuestions" or not isinstance(spec, dict):
            continue
        label, kind = _STANDARD.get(key, (key, "text"))
        options = _options(spec.get("options"))
        questions.append(
            FormQuestion(key, label, kind, required=spec.get("isRequired") is True, options=options)
        )
    for question in list_or_empty(fields.get("customQuestions")):
        spec = dict_or_empty(question)
        question_id, wording = scalar_text(spec.get("id")), scalar_text(spec.get("question"))
        raw_type = scalar_text(spec.get("type")) or "short"
        if question_id is None or wording is None:
            continue
        questions.append(
            FormQuestion(
                f"customQuestionAnswers.{raw_type}_{question_id}",
                wording,
                _CUSTOM.get(raw_type, "text"),
                required=spec.get("isRequired") is True,
                options=_options(spec.get("options")),
            )
        )
    return questions


def _location(posting: dict[str, Any]) -> str | None:
    location = dict_or_empty(posting.get("location"))
    parts = [scalar_text(location.get(key)) for key in ("city", "state", "addressCountry")]
    if not any(parts):
        fallback = dict_or_empty(posting.get("atsLocation"))
        keys = ("city", "province", "state", "country")
        parts = [scalar_text(fallback.get(key)) for key in keys]
    joined = ", ".join(part for part in parts if part)
    return joined or None


def _opening_id(item: dict[str, Any]) -> str | None:
    """A detail's job opening id: its `id`, else the number in its share URL."""
    if found := scalar_text(item.get("id")):
        return found
    match = _SHARE_URL_ID.search(scalar_text(item.get("jobOpeningShareUrl")) or "")
    return match[1] if match else None


class BambooHRAdapter:
    """BambooHR careers sites (`{company}.bamboohr.com/careers[/{id}]`)."""

    name = "bamboohr"

    def detect(self, url: str) -> BoardRef | None:
        """The company (and job opening) of a BambooHR careers URL."""
        split = split_url(url)
        if split is None:
            return None
        host, segments = split.host, list(split.parts)
        match = _HOST.match(host)
        if match is None or match["co"] in _NOT_TENANTS:
            return None
        if not segments or segments[0].lower() != "careers":
            return None
        posting_id = None
        if len(segments) > 1 and segments[1].lower() != "list":
            if not segments[1].isdigit():
                return None
            posting_id = segments[1]
        return BoardRef(self.name, match["co"], posting_id)

    async def _json(self, http: AtsHttp, board: BoardRef, path: str) -> Any:
        url = f"https://{quote(board.tenant, safe='')}.bamboohr.com/careers/{path}"
        # An unknown company redirects to www.bamboohr.com instead of answering 404.
        response = await get_unless_redirected(http, url)
        try:
            return response.json()
        except ValueError as exc:
            raise AtsError("The job board sent something other than JSON.") from exc

    def _posting(self, board: BoardRef, source_id: str, item: dict[str, Any]) -> AtsPosting:
        title = scalar_text(item.get("jobOpeningName"))
        if title is None:
            raise AtsError("A BambooHR job opening lacks its name.")
        url = scalar_text(item.get("jobOpeningShareUrl")) or (
            f"https://{board.tenant}.bamboohr.com/careers/{source_id}"
        )
        status = scalar_text(item.get("jobOpeningStatus"))
        location = _location(item)
        return AtsPosting(
            ats=self.name,
            tenant=board.tenant,
            source_id=source_id,
            title=title,
            url=url,
            apply_url=url,
            department=scalar_text(item.get("departmentLabel")),
            employment_type=scalar_text(item.get("employmentStatusLabel")),
            locations=[location] if location else [],
            workplace="remote" if item.get("isRemote") is True else None,
            description_html=scalar_text(item.get("description")),
            posted_at=parse_datetime(item.get("datePosted")),
            salary_text=scalar_text(item.get("compensation")),
            closed=status is not None and status.lower() != "open",
            raw=item,
        )

    async def list_postings(self, http: AtsHttp, board: BoardRef) -> list[AtsPosting]:
        """Every open job (the list is not paginated)."""
        return self._list(board, await self._json(http, board, "list"))

    def parse_payload(self, board: BoardRef, body: str) -> list[AtsPosting]:
        """Postings of the careers list (`{"result": [...]}`) or one job's detail
        (`{"result": {"jobOpening": {...}, "formFields": {...}}}`).

        A detail names its job only in `jobOpeningShareUrl`; `board.posting_id`, when set,
        is used instead. A detail holding only `formFields` is refused as a form.
        """
        data = json_body(body)
        result = data.get("result") if isinstance(data, dict) else None
        if isinstance(result, list):
            return self._list(board, data)
        if isinstance(result, dict) and "jobOpening" in result:
            item = dict_of(result["jobOpening"], "job")
            posting_id = board.posting_id or _opening_id(item)
            if posting_id is None:
                raise AtsError("A BambooHR job opening lacks its id.")
            return [self._posting(board, posting_id, item)]
        if isinstance(result, dict) and "formFields" in result:
            raise form_error()
        raise AtsError("The body is not a BambooHR careers list or job detail.")

    def _list(self, board: BoardRef, body: Any) -> list[AtsPosting]:
        payload = dict_of(body, "job list", "result")
        postings: dict[str, AtsPosting] = {}
        for item in list_of(payload.get("result"), "job list"):
            entry = dict_of(item, "job", "id")
            source_id = scalar_text(entry["id"])
            if source_id is None:
                raise AtsError("A BambooHR job opening lacks its id.")
            postings.setdefault(source_id, self._posting(board, source_id, entry))
        return list(postings.values())

    async def _detail(self, http: AtsHttp, board: BoardRef, posting_id: str) -> dict[str, Any]:
        if not posting_id.isdigit():
            raise BoardNotFound
        payload = dict_of(await self._json(http, board, f"{posting_id}/detail"), "job", "result")
        return dict_of(payload["result"], "job", "jobOpening")

    async def get_posting(self, http: AtsHttp, board: BoardRef, posting_id: str) -> AtsPosting:
        """One job opening with its description."""
        result = await self._detail(http, board, posting_id)
        return self._posting(board, posting_id, dict_of(result["jobOpening"], "job"))

    async def get_application_form(
        self, http: AtsHttp, board: BoardRef, posting_id: str
    ) -> list[FormQuestion] | None:
        """The form described by the detail's `formFields`."""
        result = await self._detail(http, board, posting_id)
        if "formFields" not in result:
            return None
        return questions_from_form_fields(result["formFields"])
