"""Teamtailor: the public `jobs.json` JSON Feed of a career site."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from jobpilot.jobs.ats._util import (
    dict_of,
    dict_or_empty,
    first_per_id,
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
)

MAX_PAGES = 50

_HOST = re.compile(r"^(?P<co>[a-z0-9][a-z0-9-]*)\.(?:na\.)?teamtailor\.com$")
_NOT_TENANTS = {"www", "app", "api", "support", "docs", "status", "partner", "na"}
_JOB = re.compile(r"^(\d+)(?:-[\w%.-]*)?$")
_JOB_IN_URL = re.compile(r"/jobs/(\d+)(?:-|/|$)")


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value)) if value is not None else None
    except ValueError:
        return None


class TeamtailorAdapter:
    """Teamtailor career sites (`{company}[.na].teamtailor.com/jobs/{id}-{slug}`)."""

    name = "teamtailor"

    def detect(self, url: str) -> BoardRef | None:
        """The career site (and job) of a Teamtailor URL."""
        split = split_url(url)
        if split is None:
            return None
        host, segments = split.host, list(split.parts)
        match = _HOST.match(host)
        if match is None or match["co"] in _NOT_TENANTS:
            return None
        posting_id = None
        if segments:
            if segments[0].lower() not in ("jobs", "jobs.json"):
                return None
            if len(segments) > 1:
                job = _JOB.match(segments[1])
                if job is None:
                    return None
                posting_id = job[1]
        return BoardRef(self.name, match["co"], posting_id, host=host)

    def _host(self, board: BoardRef) -> str:
        return board.host or f"{board.tenant}.teamtailor.com"

    async def list_postings(self, http: AtsHttp, board: BoardRef) -> list[AtsPosting]:
        """Every job of the feed, following `next_url` on the same host."""
        host = self._host(board)
        url: str | None = f"https://{host}/jobs.json"
        postings: dict[str, AtsPosting] = {}
        for _ in range(MAX_PAGES):
            if url is None:
                break
            feed = dict_of(await http.json("GET", url), "job feed", "items")
            for posting in self._feed_page(board, feed):
                postings.setdefault(posting.source_id, posting)
            next_url = scalar_text(feed.get("next_url"))
            url = next_url if next_url and urlsplit(next_url).hostname == host else None
        return list(postings.values())

    def parse_payload(self, board: BoardRef, body: str) -> list[AtsPosting]:
        """Postings of one page of the `jobs.json` JSON Feed (`{"items": [...]}`); single jobs
        are read from the feed too, so it is the only body this adapter receives."""
        return self._feed_page(board, dict_of(json_body(body), "job feed", "items"))

    def _feed_page(self, board: BoardRef, feed: dict[str, Any]) -> list[AtsPosting]:
        company = scalar_text(feed.get("title"))
        return first_per_id(
            self._posting(board, dict_of(item, "job", "title"), company)
            for item in list_of(feed.get("items"), "job feed")
        )

    def _posting(self, board: BoardRef, item: dict[str, Any], company: str | None) -> AtsPosting:
        job = dict_or_empty(item.get("_jobposting"))
        page_url = scalar_text(item.get("url"))
        source_id = scalar_text(dict_or_empty(job.get("identifier")).get("value"))
        if source_id is None and page_url and (found := _JOB_IN_URL.search(page_url)):
            source_id = found[1]
        title = scalar_text(item.get("title")) or scalar_text(job.get("title"))
        if source_id is None or title is None:
            raise AtsError("A Teamtailor job lacks its id or title.")
        locations: list[str] = []
        for place in list_or_empty(job.get("jobLocation")):
            address = dict_or_empty(dict_or_empty(place).get("address"))
            parts = [
                scalar_text(address.get("addressLocality")),
                scalar_text(address.get("addressCountry")),
            ]
            if (joined := ", ".join(part for part in parts if part)) and joined not in locations:
                locations.append(joined)
        employment = job.get("employmentType")
        if isinstance(employment, list):
            employment = ", ".join(value for value in employment if isinstance(value, str))
        salary = dict_or_empty(job.get("baseSalary"))
        amount = dict_or_empty(salary.get("value"))
        remote = scalar_text(job.get("jobLocationType")) == "TELECOMMUTE"
        return AtsPosting(
            ats=self.name,
            tenant=board.tenant,
            source_id=source_id,
            title=title,
            url=page_url,
            apply_url=f"{page_url.rstrip('/')}/applications/new" if page_url else None,
            company_name=scalar_text(dict_or_empty(job.get("hiringOrganization")).get("name"))
            or company,
            employment_type=scalar_text(employment),
            locations=locations,
            workplace="remote" if remote else None,
            description_html=scalar_text(job.get("description"))
            or scalar_text(item.get("content_html")),
            posted_at=parse_datetime(item.get("date_published") or job.get("datePosted")),
            updated_at=parse_datetime(item.get("date_modified")),
            salary_min=_number(amount.get("minValue")),
            salary_max=_number(amount.get("maxValue") or amount.get("value")),
            salary_currency=scalar_text(salary.get("currency")),
            salary_period=scalar_text(amount.get("unitText")),
            raw=item,
        )

    async def get_posting(self, http: AtsHttp, board: BoardRef, posting_id: str) -> AtsPosting:
        """One job, read from the feed (which carries each job in full)."""
        for posting in await self.list_postings(http, board):
            if posting.source_id == posting_id.strip():
                return posting
        raise BoardNotFound

    async def get_application_form(
        self, http: AtsHttp, board: BoardRef, posting_id: str
    ) -> list[FormQuestion] | None:
        """None: the form is server-rendered HTML with no published definition."""
        return None
