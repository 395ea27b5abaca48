"""ApplicantPro (`{tenant}.applicantpro.com/jobs/`): the careers page's domain id and `core/jobs`.

Built from documented shape, not verified against a captured payload — correct when a real
sample is captured. Sources: NOTES.md section 13 and kalil0321/ats-scrapers `applicantpro.py`:
the careers page carries `domainId : N`; `GET /core/jobs/{domainId}?getParams={}` answers
`{success, data{jobs[], jobCount}}`; `GET /core/jobs/{domainId}/{jobId}/job-details` answers
`{success, data{id, advertisingDescriptionHtml | description, startDateRef, ...}}`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from jobpilot.jobs.ats._html import parse_html
from jobpilot.jobs.ats._util import (
    clean,
    clean_or_none,
    host_of,
    json_body,
    number_or_none,
    parse_datetime,
    path_parts,
)
from jobpilot.jobs.ats.base import (
    AtsError,
    AtsHttp,
    AtsPosting,
    BoardNotFound,
    BoardRef,
    FormQuestion,
)

_HOST = re.compile(r"^(?P<tenant>[a-z0-9][a-z0-9-]*)\.applicantpro\.com$")
_NOT_TENANTS = {"www", "feeds", "api", "app", "core", "secure"}
_DOMAIN_ID = re.compile(r"""\bdomain(?:Id|_id)["']?\s*:\s*["']?(\d+)""")
_JOB_ID = re.compile(r"^(?P<id>\d+)(?:\.html)?$")
_TITLE_AFFIXES = re.compile(r"^Job Listings\s*-\s*|\s+Jobs\s*$", re.IGNORECASE)


class ApplicantProAdapter:
    """An ApplicantPro careers site (no public form definition)."""

    name = "applicantpro"

    def detect(self, url: str) -> BoardRef | None:
        """`{tenant}.applicantpro.com/jobs/[{id}[.html]]`, `www.applicantpro.com/openings/...`."""
        host = host_of(url)
        parts = path_parts(url)
        if host in {"www.applicantpro.com", "applicantpro.com"}:
            # isolved's newer host: /openings/{tenant}/jobs[/{id}]
            if len(parts) < 3 or parts[0] != "openings" or parts[2] != "jobs":
                return None
            tenant, rest = parts[1].lower(), parts[3:]
        else:
            match = _HOST.match(host)
            if not match or match["tenant"] in _NOT_TENANTS or parts[:1] != ["jobs"]:
                return None
            tenant, rest = match["tenant"], parts[1:]
        job = _JOB_ID.match(rest[0]) if rest else None
        if rest and job is None:
            return None
        return BoardRef(self.name, tenant, job["id"] if job else None)

    async def list_postings(self, http: AtsHttp, board: BoardRef) -> list[AtsPosting]:
        """Every job of `core/jobs/{domainId}` (one response, no paging)."""
        domain_id, company = await _portal(http, board)
        return await _jobs(http, board, domain_id, company)

    async def get_posting(self, http: AtsHttp, board: BoardRef, posting_id: str) -> AtsPosting:
        """The listed job, with the description from `.../{jobId}/job-details`."""
        domain_id, company = await _portal(http, board)
        listed = {p.source_id: p for p in await _jobs(http, board, domain_id, company)}
        if posting_id not in listed:
            raise BoardNotFound
        url = f"{_base(board)}/core/jobs/{domain_id}/{posting_id}/job-details"
        payload = await http.json("GET", url)
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, dict) or payload.get("success") is not True:
            raise AtsError("ApplicantPro answered an unexpected job detail shape.")
        description = (
            data.get("advertisingDescriptionHtml")
            or data.get("description")
            or data.get("advertisingDescription")
        )
        posting = listed[posting_id]
        return replace(
            posting,
            description_html=str(description).strip() or None if description else None,
            posted_at=parse_datetime(data.get("startDateRef")) or posting.posted_at,
            raw={**posting.raw, "detail": data},
        )

    async def get_application_form(
        self, http: AtsHttp, board: BoardRef, posting_id: str
    ) -> list[FormQuestion] | None:
        """None: ApplicantPro publishes no application form definition."""
        return None

    def parse_payload(self, board: BoardRef, body: str) -> list[AtsPosting]:
        """Postings of a `core/jobs/{domainId}` answer (`{"success": true, "data": {"jobs":
        [...]}}`). The company name comes from the careers page, so it is left empty here; a
        `job-details` answer names no title and is not a posting body on its own."""
        payload = json_body(body)
        data = payload.get("data") if isinstance(payload, dict) else None
        if isinstance(data, dict) and "jobs" not in data and "id" in data:
            raise AtsError("An ApplicantPro job detail has no title; read it with the job list.")
        domain_id = clean(data.get("domainId")) if isinstance(data, dict) else ""
        return _job_list(payload, board, domain_id, None)


def _base(board: BoardRef) -> str:
    return f"https://{board.tenant}.applicantpro.com"


async def _portal(http: AtsHttp, board: BoardRef) -> tuple[str, str | None]:
    page = await http.text("GET", f"{_base(board)}/jobs/", follow_redirects=True)
    found = _DOMAIN_ID.search(page)
    if found is None:
        # Tenants without a public careers site answer with a page that has no domain id.
        raise BoardNotFound
    title = parse_html(page).find("title")
    company = clean(_TITLE_AFFIXES.sub("", title.text())) if title else ""
    return found[1], company or None


async def _jobs(
    http: AtsHttp, board: BoardRef, domain_id: str, company: str | None
) -> list[AtsPosting]:
    payload = await http.json("GET", f"{_base(board)}/core/jobs/{domain_id}?getParams=%7B%7D")
    return _job_list(payload, board, domain_id, company)


def _job_list(
    payload: Any, board: BoardRef, domain_id: str, company: str | None
) -> list[AtsPosting]:
    """The jobs of a `core/jobs/{domainId}` answer."""
    data = payload.get("data") if isinstance(payload, dict) else None
    jobs = data.get("jobs") if isinstance(data, dict) else None
    if not isinstance(jobs, list) or payload.get("success") is not True:
        raise AtsError("ApplicantPro answered an unexpected job list shape.")
    return [_posting(job, board, domain_id, company) for job in jobs if isinstance(job, dict)]


def _salary_period(job: dict[str, Any]) -> str | None:
    text = clean(job.get("payTypeFrame") or job.get("payType")).lower()
    for word, period in (
        ("hour", "hour"),
        ("year", "year"),
        ("annual", "year"),
        ("salary", "year"),
    ):
        if word in text:
            return period
    for word, period in (("week", "week"), ("month", "month"), ("day", "day")):
        if word in text:
            return period
    return None


def _posting(
    job: dict[str, Any], board: BoardRef, domain_id: str, company: str | None
) -> AtsPosting:
    job_id, title = clean(job.get("id")), clean(job.get("title"))
    if not job_id or not title:
        raise AtsError("An ApplicantPro job had no id or title.")
    location = clean(job.get("jobLocation")) or ", ".join(
        part
        for part in (
            clean(job.get("city")),
            clean(job.get("abbreviation")),
            clean(job.get("iso3")),
        )
        if part
    )
    workplace = clean(job.get("workplaceType")).lower()
    low, high = number_or_none(job.get("minSalary")), number_or_none(job.get("maxSalary"))
    url = clean(job.get("jobUrl")) or f"{_base(board)}/jobs/{job_id}"
    posted_raw = job.get("startDateRef")
    return AtsPosting(
        ats="applicantpro",
        tenant=board.tenant,
        source_id=job_id,
        title=title,
        url=url,
        apply_url=url,
        company_name=company,
        department=clean_or_none(job.get("orgTitle")),
        employment_type=clean_or_none(job.get("employmentType")),
        locations=[location] if location else [],
        workplace=next(
            (kind for kind in ("remote", "hybrid", "onsite") if kind in workplace.replace("-", "")),
            None,
        ),
        posted_at=parse_datetime(posted_raw),
        posted_text=None if parse_datetime(posted_raw) else clean_or_none(posted_raw),
        salary_min=low or None,
        salary_max=high or None,
        salary_period=_salary_period(job) if (low or high) else None,
        salary_text=clean_or_none(job.get("payDetails")),
        raw={"domain_id": domain_id, **job},
    )
