"""Workday: the public CXS JSON API behind every `*.myworkdayjobs.com` career site."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

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

PAGE_SIZE = 20
# Workday refuses offsets past a few thousand; never loop forever on a lying `total`.
MAX_PAGES = 250

_JOBS_HOST = re.compile(r"^(?P<tenant>[a-z0-9][a-z0-9_-]*)\.(?P<shard>wd\d+)\.myworkdayjobs\.com$")
_SITE_HOST = re.compile(
    r"^(?:(?P<tenant>[a-z0-9][a-z0-9_-]*)\.)?(?P<shard>wd\d+)\.myworkdaysite\.com$"
)
_LOCALE = re.compile(r"^[a-z]{2}(?:-[a-z]{2,4})?$", re.IGNORECASE)
_SEGMENT = re.compile(r"^[\w.-]+$")
_MORE = re.compile(r",\s*More\.\.\.$")
_COUNT_ONLY = re.compile(r"^\d+\s+Locations?$", re.IGNORECASE)


def _posting_key(path_or_slug: str) -> str:
    """The posting's own id: the part after the last `_` of `{slug}_{R123[-1]}`."""
    return path_or_slug.rstrip("/").rsplit("/", 1)[-1].rsplit("_", 1)[-1]


def _posting_from_path(segments: list[str]) -> str | None:
    """`{location}/{slug}_{req}` from the segments after `job`, ignoring a trailing `apply`."""
    if segments and segments[-1].lower() == "apply":
        segments = segments[:-1]
    if len(segments) != 2 or "_" not in segments[1]:
        return None
    if not all(_SEGMENT.match(segment) for segment in segments):
        return None
    return "/".join(segments)


def _search_payload(body: Any) -> dict[str, Any]:
    """A CXS search answer, checked to hold its `jobPostings` array."""
    payload = dict_of(body, "job list", "jobPostings")
    list_of(payload.get("jobPostings"), "job list")
    return payload


def _site_url(board: BoardRef) -> str | None:
    """`https://{host}/{site}`, the base of the career site's page URLs, when both are known."""
    return f"https://{board.host}/{board.site}" if board.host and board.site else None


class WorkdayAdapter:
    """Workday career sites (`{tenant}.wd{N}.myworkdayjobs.com/{site}`, `*.myworkdaysite.com`)."""

    name = "workday"

    def detect(self, url: str) -> BoardRef | None:
        """The tenant, site and (when named) posting of a Workday careers URL."""
        split = split_url(url)
        if split is None:
            return None
        host, segments = split.host, list(split.parts)
        if segments and _LOCALE.match(segments[0]):
            segments = segments[1:]
        tenant: str | None
        if match := _JOBS_HOST.match(host):
            tenant = match["tenant"]
        elif match := _SITE_HOST.match(host):
            tenant = match["tenant"]
            if len(segments) >= 3 and segments[0].lower() == "recruiting":
                tenant, segments = segments[1], segments[2:]
        else:
            return None
        if not tenant or not segments or not _SEGMENT.match(segments[0]):
            return None
        site, rest = segments[0], segments[1:]
        if site.lower() in ("wday", "recruiting"):
            return None
        posting_id = None
        if rest:
            if rest[0].lower() != "job":
                return None
            posting_id = _posting_from_path(rest[1:])
            if posting_id is None:
                return None
        return BoardRef("workday", tenant.lower(), posting_id, host=host, site=site)

    def _api(self, board: BoardRef) -> str:
        if not board.host or not board.site:
            raise AtsError("A Workday board needs its host and site.")
        return f"https://{board.host}/wday/cxs/{board.tenant}/{board.site}"

    async def _search(self, http: AtsHttp, board: BoardRef, offset: int, search: str) -> Any:
        body = {"limit": PAGE_SIZE, "offset": offset, "appliedFacets": {}, "searchText": search}
        return _search_payload(await http.json("POST", f"{self._api(board)}/jobs", json=body))

    async def list_postings(self, http: AtsHttp, board: BoardRef) -> list[AtsPosting]:
        """Every open posting, paging the CXS search by offset until `total`."""
        postings: dict[str, AtsPosting] = {}
        total: int | None = None
        offset = 0
        for _ in range(MAX_PAGES):
            payload = await self._search(http, board, offset, "")
            if total is None:
                # Later pages may report total 0; the first page's figure is the real one.
                raw_total = payload.get("total")
                total = raw_total if isinstance(raw_total, int) else 0
            for posting in self._search_page(board, payload):
                postings.setdefault(posting.source_id, posting)
            offset += PAGE_SIZE
            if len(payload["jobPostings"]) < PAGE_SIZE or offset >= total:
                break
        return list(postings.values())

    def parse_payload(self, board: BoardRef, body: str) -> list[AtsPosting]:
        """Postings of a CXS search page (`{"jobPostings": [...]}`) or one CXS job detail
        (`{"jobPostingInfo": {...}}`). Page URLs need the board's host and site."""
        data = json_body(body)
        if isinstance(data, dict) and "jobPostings" in data:
            return self._search_page(board, _search_payload(data))
        if isinstance(data, dict) and "jobPostingInfo" in data:
            return [self._from_detail(board, data, None)]
        raise AtsError("The body is not a Workday job search page or job detail.")

    def _search_page(self, board: BoardRef, payload: dict[str, Any]) -> list[AtsPosting]:
        items = [item for item in payload["jobPostings"] if isinstance(item, dict)]
        return first_per_id(self._from_list_item(board, item) for item in items)

    def _from_list_item(self, board: BoardRef, item: dict[str, Any]) -> AtsPosting:
        path = scalar_text(item.get("externalPath"))
        title = scalar_text(item.get("title"))
        if path is None or title is None:
            raise AtsError("A Workday posting lacks its title or path.")
        site_url = _site_url(board)
        url = f"{site_url}{path}" if site_url else None
        location = scalar_text(item.get("locationsText"))
        locations = []
        if location and not _COUNT_ONLY.match(location):
            locations.append(_MORE.sub("", location))
        return AtsPosting(
            ats=self.name,
            tenant=board.tenant,
            source_id=_posting_key(path),
            title=title,
            url=url,
            apply_url=f"{url}/apply" if url else None,
            locations=locations,
            posted_text=scalar_text(item.get("postedOn")),
            raw=item,
        )

    async def _resolve_path(self, http: AtsHttp, board: BoardRef, posting_id: str) -> str:
        """`{location}/{slug}_{req}` for a posting id that may be a bare requisition id."""
        cleaned = posting_id.strip().strip("/").removeprefix("job/")
        if "/" in cleaned:
            return cleaned
        payload = await self._search(http, board, 0, cleaned)
        for item in payload["jobPostings"]:
            path = scalar_text(dict_or_empty(item).get("externalPath"))
            bullets = list_or_empty(dict_or_empty(item).get("bulletFields"))
            if path and (_posting_key(path) == cleaned or (bullets and bullets[0] == cleaned)):
                return path.strip("/").removeprefix("job/")
        raise BoardNotFound

    async def get_posting(self, http: AtsHttp, board: BoardRef, posting_id: str) -> AtsPosting:
        """One posting with its description (by `{location}/{slug}_{req}` or requisition id)."""
        path = await self._resolve_path(http, board, posting_id)
        url = f"{self._api(board)}/job/{quote(path, safe='/')}"
        return self._from_detail(board, await http.json("GET", url), path)

    def _from_detail(self, board: BoardRef, body: Any, path: str | None) -> AtsPosting:
        """A CXS job detail; `path` is the `{location}/{slug}_{req}` it was fetched by."""
        payload = dict_of(body, "job", "jobPostingInfo")
        info = dict_or_empty(payload["jobPostingInfo"])
        title = scalar_text(info.get("title"))
        if title is None:
            raise AtsError("A Workday posting lacks its title.")
        key = scalar_text(info.get("jobPostingId"))
        source_id = (
            _posting_key(key)
            if key
            else scalar_text(info.get("jobReqId")) or (_posting_key(path) if path else None)
        )
        if source_id is None:
            raise AtsError("A Workday posting lacks its id.")
        site_url = _site_url(board)
        page_url = scalar_text(info.get("externalUrl")) or (
            f"{site_url}/job/{path}" if site_url and path else None
        )
        locations = [loc for loc in [scalar_text(info.get("location"))] if loc]
        for extra in list_or_empty(info.get("additionalLocations")):
            if (
                name := scalar_text(extra) or scalar_text(dict_or_empty(extra).get("descriptor"))
            ) and name not in locations:
                locations.append(name)
        return AtsPosting(
            ats=self.name,
            tenant=board.tenant,
            source_id=source_id,
            title=title,
            url=page_url,
            apply_url=f"{page_url}/apply" if page_url else None,
            company_name=scalar_text(dict_or_empty(payload.get("hiringOrganization")).get("name")),
            employment_type=scalar_text(info.get("timeType")),
            locations=locations,
            description_html=scalar_text(info.get("jobDescription")),
            posted_at=parse_datetime(info.get("startDate")),
            posted_text=scalar_text(info.get("postedOn")),
            closed=info.get("canApply") is False or info.get("posted") is False,
            raw=payload,
        )

    async def get_application_form(
        self, http: AtsHttp, board: BoardRef, posting_id: str
    ) -> list[FormQuestion] | None:
        """None: Workday's form sits behind a per-tenant sign-in and has no public definition."""
        return None
