"""Ashby: the public Job Posting API and the hosted page's `ApiJobPosting` GraphQL form."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from jobpilot.jobs.ats._util import (
    SLUG_RE,
    UUID_RE,
    dict_of,
    dicts_in,
    form_error,
    json_body,
    list_of,
    number_or_none,
    parse_datetime,
    split_url,
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

PAGE_HOST = "jobs.ashbyhq.com"
BOARD_API = "https://api.ashbyhq.com/posting-api/job-board"
GRAPHQL = "https://jobs.ashbyhq.com/api/non-user-graphql?op=ApiJobPosting"
# The part of the hosted page's own query that describes the form.
FORM_QUERY = """
query ApiJobPosting($organizationHostedJobsPageName: String!, $jobPostingId: String!) {
  jobPosting(
    organizationHostedJobsPageName: $organizationHostedJobsPageName
    jobPostingId: $jobPostingId
  ) {
    id
    applicationForm { ...FormRenderParts }
    surveyForms { ...FormRenderParts }
  }
}
fragment FormRenderParts on FormRender {
  id
  sections {
    title
    fieldEntries { id field isRequired descriptionHtml isHidden }
    isHidden
  }
}
"""
FIELD_TYPES: dict[str, QuestionType] = {
    "String": "text",
    "Email": "email",
    "Phone": "phone",
    "Location": "text",
    "File": "file",
    "ValueSelect": "select",
    "MultiValueSelect": "multi_select",
    "LongText": "textarea",
    "Boolean": "boolean",
    "Url": "url",
    "Number": "number",
    "Date": "date",
}
WORKPLACES = {"remote": "remote", "hybrid": "hybrid", "onsite": "onsite", "on-site": "onsite"}


class AshbyAdapter:
    """Ashby job boards on `jobs.ashbyhq.com/{org}`."""

    name = "ashby"

    def detect(self, url: str) -> BoardRef | None:
        """The organisation (and posting) of an Ashby board, posting or application URL."""
        split = split_url(url)
        if split is None or split.host != PAGE_HOST or not split.parts:
            return None
        org = split.parts[0]
        if not SLUG_RE.match(org) or org == "api":
            return None
        posting = split.parts[1] if len(split.parts) > 1 else None
        posting = posting.lower() if posting and UUID_RE.match(posting) else None
        return BoardRef(ats=self.name, tenant=org, posting_id=posting)

    async def list_postings(self, http: AtsHttp, board: BoardRef) -> list[AtsPosting]:
        """Every listed posting with its compensation; Ashby returns the whole board at once."""
        return [self._posting(board, job) for job in await self._jobs(http, board)]

    async def get_posting(self, http: AtsHttp, board: BoardRef, posting_id: str) -> AtsPosting:
        """One posting, read from the board (the public API has no single-posting endpoint)."""
        for job in await self._jobs(http, board):
            if str(job.get("id", "")).lower() == posting_id.lower():
                return self._posting(board, job)
        raise BoardNotFound

    async def get_application_form(
        self, http: AtsHttp, board: BoardRef, posting_id: str
    ) -> list[FormQuestion]:
        """The application form's fields, then any survey (EEO) fields."""
        body = dict_of(
            await http.json(
                "POST",
                GRAPHQL,
                json={
                    "operationName": "ApiJobPosting",
                    "query": FORM_QUERY,
                    "variables": {
                        "organizationHostedJobsPageName": board.tenant,
                        "jobPostingId": posting_id,
                    },
                },
            ),
            "form",
        )
        posting = _graphql_job_posting(body)
        if posting is None:
            # Ashby answers `null` for a closed or unknown posting.
            raise BoardNotFound
        forms = [posting.get("applicationForm"), *dicts_in(posting.get("surveyForms"))]
        questions: list[FormQuestion] = []
        for form in forms:
            if not isinstance(form, dict):
                continue
            for section in dicts_in(form.get("sections")):
                if section.get("isHidden") is True:
                    continue
                for entry in dicts_in(section.get("fieldEntries")):
                    question = _question(entry)
                    if question is not None:
                        questions.append(question)
        return questions

    def parse_payload(self, board: BoardRef, body: str) -> list[AtsPosting]:
        """Postings of a Job Posting API board (`{"jobs": [...]}`).

        An `ApiJobPosting` GraphQL answer is a posting only when it names the posting's id and
        title; one that carries just the application form is refused as a form.
        """
        data = json_body(body)
        if isinstance(data, dict) and "jobs" in data:
            return [self._posting(board, job) for job in _board_jobs(data)]
        if isinstance(data, dict) and ("data" in data or "errors" in data):
            posting = _graphql_job_posting(data)
            if posting is None:
                raise AtsError("The job board answered with no posting.")
            if "id" in posting or "title" in posting:
                return [self._posting(board, posting)]
            if "applicationForm" in posting or "surveyForms" in posting:
                raise form_error()
        raise AtsError("The body is not an Ashby job board or posting.")

    async def _jobs(self, http: AtsHttp, board: BoardRef) -> list[dict[str, Any]]:
        url = f"{BOARD_API}/{quote(board.tenant, safe='')}?includeCompensation=true"
        return _board_jobs(await http.json("GET", url))

    def _posting(self, board: BoardRef, job: dict[str, Any]) -> AtsPosting:
        source_id = text_or_none(job.get("id"))
        title = text_or_none(job.get("title"))
        if source_id is None or title is None:
            raise AtsError("The job board sent a posting without an id or title.")
        secondary = [
            text_or_none(loc.get("location")) or ""
            for loc in dicts_in(job.get("secondaryLocations"))
        ]
        workplace_type = text_or_none(job.get("workplaceType"))
        if workplace_type:
            workplace = WORKPLACES.get(workplace_type.lower())
        else:
            workplace = "remote" if job.get("isRemote") is True else None
        posting = AtsPosting(
            ats=self.name,
            tenant=board.tenant,
            source_id=source_id,
            title=title,
            url=text_or_none(job.get("jobUrl")),
            apply_url=text_or_none(job.get("applyUrl")),
            department=text_or_none(job.get("department")),
            employment_type=text_or_none(job.get("employmentType")),
            locations=unique([text_or_none(job.get("location")) or "", *secondary]),
            workplace=workplace,
            description_html=text_or_none(job.get("descriptionHtml")),
            posted_at=parse_datetime(job.get("publishedAt")),
            updated_at=parse_datetime(job.get("updatedAt")),
            raw=job,
        )
        compensation = job.get("compensation")
        shown = job.get("shouldDisplayCompensationOnJobPostings") is not False
        if isinstance(compensation, dict) and shown:
            posting.salary_text = text_or_none(
                compensation.get("scrapeableCompensationSalarySummary")
            ) or text_or_none(compensation.get("compensationTierSummary"))
            for part in dicts_in(compensation.get("summaryComponents")):
                if part.get("compensationType") == "Salary":
                    posting.salary_min = number_or_none(part.get("minValue"))
                    posting.salary_max = number_or_none(part.get("maxValue"))
                    posting.salary_currency = text_or_none(part.get("currencyCode"))
                    posting.salary_period = text_or_none(part.get("interval"))
                    break
        return posting


def _board_jobs(body: Any) -> list[dict[str, Any]]:
    """The job objects of a Job Posting API board body."""
    return dicts_in(list_of(dict_of(body, "job board").get("jobs"), "job board"))


def _graphql_job_posting(body: Any) -> dict[str, Any] | None:
    """`data.jobPosting` of an `ApiJobPosting` answer; None when Ashby answers `null`."""
    answer = dict_of(body, "form")
    if answer.get("errors") and not isinstance(answer.get("data"), dict):
        raise AtsError("The job board rejected the form query.")
    posting = dict_of(answer.get("data"), "form").get("jobPosting")
    return None if posting is None else dict_of(posting, "form")


def _question(entry: dict[str, Any]) -> FormQuestion | None:
    """One form field entry; hidden and path-less entries are skipped."""
    field = entry.get("field")
    if entry.get("isHidden") is True or not isinstance(field, dict):
        return None
    if field.get("isDeactivated") is True:
        return None
    key = text_or_none(field.get("path"))
    if key is None:
        return None
    options = tuple(
        label
        for value in dicts_in(field.get("selectableValues"))
        if (label := text_or_none(value.get("label")))
    )
    return FormQuestion(
        key=key,
        label=text_or_none(field.get("title"))
        or text_or_none(field.get("humanReadablePath"))
        or key,
        type=FIELD_TYPES.get(str(field.get("type")), "text"),
        required=entry.get("isRequired") is True,
        options=options,
    )
