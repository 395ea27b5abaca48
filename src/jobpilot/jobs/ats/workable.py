"""Workable: the public widget API and the public application-form definition."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

from jobpilot.jobs.ats._util import (
    SLUG_RE,
    dict_of,
    dicts_in,
    form_error,
    json_body,
    list_of,
    number_or_none,
    parse_datetime,
    parse_xml,
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

APPLY_HOST = "apply.workable.com"
DOMAIN = "workable.com"
# Workable's own sites; `jobs.workable.com` is its cross-employer job search.
RESERVED = frozenset({"www", "apply", "jobs", "api", "help", "resources", "blog", "careers"})
# Shortcodes are ten upper-case hex digits in every sample; accept any short alphanumeric.
SHORTCODE_RE = re.compile(r"^[A-Za-z0-9]{6,16}$")
FIELD_TYPES: dict[str, QuestionType] = {
    "text": "text",
    "email": "email",
    "phone": "phone",
    "paragraph": "textarea",
    "boolean": "boolean",
    "dropdown": "select",
    "multiple": "multi_select",
    "number": "number",
    "date": "date",
    "file": "file",
}


class WorkableAdapter:
    """Workable accounts on `apply.workable.com/{account}` (and legacy `{account}.workable.com`).

    The short form `apply.workable.com/j/{SHORTCODE}` names no account: it is detected with an
    empty tenant, which is enough to read the application form but not to list the board.
    """

    name = "workable"

    def detect(self, url: str) -> BoardRef | None:
        """The account (and job shortcode) of a Workable careers, job or apply URL."""
        split = split_url(url)
        if split is None:
            return None
        parts = split.parts
        if split.host == APPLY_HOST:
            if not parts:
                return None
            if parts[0] == "j":
                code = _shortcode(parts[1:])
                return BoardRef(ats=self.name, tenant="", posting_id=code) if code else None
            account, rest = parts[0], parts[1:]
        else:
            sub = subdomain_of(split.host, DOMAIN)
            if sub is None or sub in RESERVED:
                return None
            account, rest = sub, parts
        if not SLUG_RE.match(account) or account in ("api", "j"):
            return None
        code = _shortcode(rest[1:]) if rest[:1] == ("j",) else None
        return BoardRef(ats=self.name, tenant=account, posting_id=code)

    async def list_postings(self, http: AtsHttp, board: BoardRef) -> list[AtsPosting]:
        """Every published job with its description, one per shortcode."""
        return self._widget(board, await self._account(http, board))

    async def get_posting(self, http: AtsHttp, board: BoardRef, posting_id: str) -> AtsPosting:
        """One job by shortcode, from the account's widget (it carries the description)."""
        for posting in await self.list_postings(http, board):
            if posting.source_id.upper() == posting_id.upper():
                return posting
        raise BoardNotFound

    async def get_application_form(
        self, http: AtsHttp, board: BoardRef, posting_id: str
    ) -> list[FormQuestion]:
        """The fields of every section of the job's public form definition."""
        url = f"https://{APPLY_HOST}/api/v1/jobs/{quote(posting_id, safe='')}/form"
        questions: list[FormQuestion] = []
        for section in dicts_in(list_of(await http.json("GET", url), "form")):
            for item in dicts_in(section.get("fields")):
                question = _question(item)
                if question is not None:
                    questions.append(question)
        return questions

    def parse_payload(self, board: BoardRef, body: str) -> list[AtsPosting]:
        """Postings of the account widget (`{"name": ..., "jobs": [...]}`) or of Workable's XML
        job feed (`<source><job>...`). A job's `/form` definition is refused as a form."""
        if body.lstrip().startswith("<"):
            return self._xml_feed(board, parse_xml(body))
        data = json_body(body)
        if isinstance(data, dict) and "jobs" in data:
            return self._widget(board, data)
        if isinstance(data, list) and any("fields" in section for section in dicts_in(data)):
            raise form_error()
        raise AtsError("The body is not a Workable account widget or job feed.")

    def _widget(self, board: BoardRef, body: dict[str, Any]) -> list[AtsPosting]:
        company = text_or_none(body.get("name"))
        merged: dict[str, AtsPosting] = {}
        for job in dicts_in(list_of(body.get("jobs"), "job list")):
            posting = self._posting(board, job, company)
            seen = merged.get(posting.source_id)
            if seen is None:
                merged[posting.source_id] = posting
            else:
                # The widget repeats a job once per location under the same shortcode.
                seen.locations = unique([*seen.locations, *posting.locations])
        return list(merged.values())

    def _xml_feed(self, board: BoardRef, root: ET.Element) -> list[AtsPosting]:
        """The `<job>` elements of the XML feed; `referencenumber` is the shortcode."""
        if root.tag != "source":
            raise AtsError("The Workable feed is not a <source> document.")
        merged: dict[str, AtsPosting] = {}
        for job in root.findall("job"):
            data = {child.tag: (child.text or "").strip() for child in job}
            source_id = text_or_none(data.get("referencenumber"))
            title = text_or_none(data.get("title"))
            if source_id is None or title is None:
                raise AtsError("The Workable feed has a job without a reference or title.")
            url = text_or_none(data.get("url"))
            merged.setdefault(
                source_id,
                AtsPosting(
                    ats=self.name,
                    tenant=board.tenant,
                    source_id=source_id,
                    title=title,
                    url=url,
                    apply_url=f"{url.rstrip('/')}/apply" if url else None,
                    company_name=text_or_none(data.get("company")),
                    department=text_or_none(data.get("category")),
                    employment_type=text_or_none(data.get("jobtype")),
                    locations=unique(
                        [_place(data.get("city"), data.get("state"), data.get("country"))]
                    ),
                    workplace="remote" if data.get("remote", "").lower() == "true" else None,
                    description_html=text_or_none(data.get("description")),
                    posted_at=_rfc822_utc(data.get("date", "")),
                    raw=data,
                ),
            )
        return list(merged.values())

    async def _account(self, http: AtsHttp, board: BoardRef) -> dict[str, Any]:
        if not board.tenant:
            raise BoardNotFound("This Workable link names a job but not its account.")
        account = quote(board.tenant, safe="")
        url = f"https://{APPLY_HOST}/api/v1/widget/accounts/{account}?details=true"
        return dict_of(await http.json("GET", url), "account")

    def _posting(self, board: BoardRef, job: dict[str, Any], company: str | None) -> AtsPosting:
        source_id = text_or_none(job.get("shortcode"))
        title = text_or_none(job.get("title"))
        if source_id is None or title is None:
            raise AtsError("The job board sent a job without a shortcode or title.")
        places = [
            _place(loc.get("city"), loc.get("region"), loc.get("country"))
            for loc in dicts_in(job.get("locations"))
            if loc.get("hidden") is not True
        ]
        if not places:
            places = [_place(job.get("city"), job.get("state"), job.get("country"))]
        return AtsPosting(
            ats=self.name,
            tenant=board.tenant,
            source_id=source_id,
            title=title,
            url=text_or_none(job.get("url")) or text_or_none(job.get("shortlink")),
            apply_url=text_or_none(job.get("application_url")),
            company_name=company,
            department=text_or_none(job.get("department")),
            employment_type=text_or_none(job.get("employment_type")),
            locations=unique(places),
            # `telecommuting` false does not say whether the job is hybrid or on site.
            workplace="remote" if job.get("telecommuting") is True else None,
            description_html=text_or_none(job.get("description")),
            posted_at=parse_datetime(job.get("published_on")),
            raw=job,
        )


def _question(item: dict[str, Any]) -> FormQuestion | None:
    """One form field; fields without an id (layout only) are skipped."""
    key = text_or_none(item.get("id"))
    if key is None:
        return None
    kind = FIELD_TYPES.get(str(item.get("type")), "text")
    if kind == "multi_select" and item.get("singleOption") is True:
        kind = "select"
    options = tuple(
        value
        for option in dicts_in(item.get("options"))
        if (value := text_or_none(option.get("value")))
    )
    limit = number_or_none(item.get("maxLength"))
    file_types = item.get("supportedFileTypes")
    return FormQuestion(
        key=key,
        label=text_or_none(item.get("label")) or key,
        type=kind,
        required=item.get("required") is True,
        options=options,
        max_length=int(limit) if limit else None,
        file_types=tuple(t for t in file_types if isinstance(t, str))
        if isinstance(file_types, list)
        else (),
    )


def _place(city: Any, region: Any, country: Any) -> str:
    return ", ".join(
        p for p in (text_or_none(city), text_or_none(region), text_or_none(country)) if p
    )


def _rfc822_utc(text: str) -> datetime | None:
    """A feed date such as "Sun, 29 Dec 2019 11:02:25 UTC" (naive values taken as UTC)."""
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _shortcode(rest: tuple[str, ...]) -> str | None:
    """The shortcode in `{CODE}[/apply]`."""
    return rest[0] if rest and SHORTCODE_RE.match(rest[0]) else None
