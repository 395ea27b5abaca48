"""Oracle Taleo: Enterprise career sections and Taleo Business Edition (TBE) boards.

Built from documented shape, not verified against a captured payload — correct when a real
sample is captured. Sources: NOTES.md section 6 (Enterprise `searchjobs` REST call, `tz`
header, `requisitionList[] {jobId, contestNo, column[]}`, `pagingData`) and
kalil0321/ats-scrapers `taleo.py` (TBE `a.viewJobLink[href*=viewRequisition]`, JSON-LD on
`viewRequisition` pages, dates like "2025-07-28 00:00:00.0").

BoardRef use: Enterprise `tenant` = the `{co}` of `{co}.taleo.net`, `site` = the career
section, or `"{section}:{portal}"` when the URL named the portal; TBE `tenant` = `org`,
`host` = the shard host, `site` = `"{instance}:{cws}"`.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urljoin

from jobpilot.jobs.ats._html import parse_html, self_urls
from jobpilot.jobs.ats._util import (
    clean,
    clean_or_none,
    first_per_id,
    host_of,
    json_body,
    parse_datetime,
    path_parts,
    query_value,
)
from jobpilot.jobs.ats.base import (
    AtsError,
    AtsHttp,
    AtsPosting,
    BoardNotFound,
    BoardRef,
    FormQuestion,
)
from jobpilot.jobs.ats.jsonld import extract_job_postings, posting_for_adapter

_ENTERPRISE_HOST = re.compile(r"^(?P<co>[a-z0-9][a-z0-9-]*)\.taleo\.net$")
_TBE_HOST = re.compile(r"^(?P<shard>[a-z0-9]+)\.tbe\.taleo\.net$")
_NOT_TENANTS = {"www", "tbe", "chp", "api"}
_PORTAL = re.compile(r"""portal["']?\s*[:=]\s*["']?(\d{3,})""")
_RID = re.compile(r"[?&]rid=(\d+)")
_MAX_PAGES = 400


def search_body(page_no: int) -> dict[str, Any]:
    """The documented JSON body of the Enterprise `searchjobs` call for one page."""
    return {
        "multilineEnabled": False,
        "sortingSelection": {"sortBySelectionParam": "5", "ascendingSortingOrder": "false"},
        "fieldData": {"fields": {"KEYWORD": "", "LOCATION": ""}, "valid": True},
        "filterSelectionParam": {"searchFilterSelections": []},
        "advancedSearchFiltersSelectionParam": {
            "searchFilterSelections": [
                {"id": "ORGANIZATION", "selectedValues": []},
                {"id": "LOCATION", "selectedValues": []},
                {"id": "JOB_FIELD", "selectedValues": []},
            ]
        },
        "pageNo": page_no,
    }


class TaleoAdapter:
    """Taleo Enterprise career sections and Taleo Business Edition boards."""

    name = "taleo"

    def detect(self, url: str) -> BoardRef | None:
        """Enterprise `{co}.taleo.net/careersection/{section}/...` and TBE `{shard}.tbe...`."""
        host = host_of(url)
        parts = path_parts(url)
        tbe = _TBE_HOST.match(host)
        if tbe:
            org, cws = query_value(url, "org"), query_value(url, "cws")
            if len(parts) < 4 or parts[1:4] != ["ats", "careers", "v2"] or not org or not cws:
                return None
            rid = query_value(url, "rid")
            return BoardRef(self.name, org, rid, host=host, site=f"{parts[0]}:{cws}")
        enterprise = _ENTERPRISE_HOST.match(host)
        if not enterprise or enterprise["co"] in _NOT_TENANTS:
            return None
        if len(parts) < 3 or parts[0] != "careersection" or not parts[2].endswith(".ftl"):
            return None
        section, portal = parts[1], query_value(url, "portal")
        job = query_value(url, "job") if parts[2] == "jobdetail.ftl" else None
        site = f"{section}:{portal}" if portal and portal.isdigit() else section
        return BoardRef(self.name, enterprise["co"], job, host=host, site=site)

    async def list_postings(self, http: AtsHttp, board: BoardRef) -> list[AtsPosting]:
        """Enterprise: every page of `searchjobs`; TBE: the `searchResults` page."""
        if _is_tbe(board):
            return await self._list_tbe(http, board)
        return await self._list_enterprise(http, board)

    async def get_posting(self, http: AtsHttp, board: BoardRef, posting_id: str) -> AtsPosting:
        """The posting page's schema.org JSON-LD (TBE `viewRequisition`, Enterprise `jobdetail`)."""
        page = await http.text("GET", _detail_url(board, posting_id), follow_redirects=True)
        posting = _detail_page(board, page, posting_id)
        if posting is None:
            raise AtsError("The Taleo posting page carries no structured description.")
        return posting

    def parse_payload(self, board: BoardRef, body: str) -> list[AtsPosting]:
        """Postings of an Enterprise `searchjobs` answer (`{"requisitionList": [...]}`), a TBE
        `searchResults` page (`a.viewJobLink` rows), or a posting page's JSON-LD (named by
        `board.posting_id` or by the page's own URL)."""
        if not body.lstrip().startswith("<"):
            data = json_body(body)
            _requisitions(data)
            if isinstance(data, dict) and data.get("careerSectionUnAvailable") is True:
                raise AtsError("The Taleo career section is unavailable.")
            section = (board.site or "").partition(":")[0]
            return _enterprise_page(data, board, _host(board), section)
        rows = _tbe_rows(board, body, _tbe_search_url(board))
        described = bool(extract_job_postings(body, ""))
        if rows and not described:
            return rows
        posting_id = board.posting_id or _posting_id_in(body)
        posting = _detail_page(board, body, posting_id) if posting_id else None
        if posting is not None:
            return [posting]
        if described:
            raise AtsError("The Taleo posting page names no posting id.")
        return _tbe_page(board, body, _tbe_search_url(board))

    async def get_application_form(
        self, http: AtsHttp, board: BoardRef, posting_id: str
    ) -> list[FormQuestion] | None:
        """None: Taleo applies behind a candidate account, with no public form definition."""
        return None

    async def _list_enterprise(self, http: AtsHttp, board: BoardRef) -> list[AtsPosting]:
        host = _host(board)
        section, _, portal = (board.site or "").partition(":")
        if not section:
            raise AtsError("A Taleo Enterprise board needs its career section.")
        if not portal:
            portal = await _find_portal(http, host, section)
        url = f"https://{host}/careersection/rest/jobboard/searchjobs?lang=en&portal={portal}"
        headers = {"tz": "GMT+00:00", "tzname": "UTC", "Content-Type": "application/json"}
        postings: dict[str, AtsPosting] = {}
        for page_no in range(1, _MAX_PAGES + 1):
            data = await http.json("POST", url, json=search_body(page_no), headers=headers)
            _requisitions(data)
            if data.get("careerSectionUnAvailable") is True:
                raise BoardNotFound
            rows = _enterprise_page(data, board, host, section)
            fresh = [row for row in rows if row.source_id not in postings]
            postings.update((row.source_id, row) for row in fresh)
            paging = data.get("pagingData")
            total = paging.get("totalCount") if isinstance(paging, dict) else None
            if not fresh or not isinstance(total, int) or len(postings) >= total:
                break
        return list(postings.values())

    async def _list_tbe(self, http: AtsHttp, board: BoardRef) -> list[AtsPosting]:
        url = _tbe_search_url(board)
        return _tbe_page(board, await http.text("GET", url), url)


def _tbe_search_url(board: BoardRef) -> str:
    instance, _, cws = (board.site or "").partition(":")
    return (
        f"https://{board.host}/{instance}/ats/careers/v2/searchResults?org={board.tenant}&cws={cws}"
    )


def _tbe_page(board: BoardRef, page: str, url: str) -> list[AtsPosting]:
    """The rows of a TBE `searchResults` page; AtsError when it is no TBE page at all."""
    rows = _tbe_rows(board, page, url)
    if not rows and "oracletaleocwsv2" not in page:
        raise AtsError("The Taleo search page had an unexpected shape.")
    return rows


def _tbe_rows(board: BoardRef, page: str, url: str) -> list[AtsPosting]:
    """One posting per `rid` among a TBE page's `viewRequisition` title links."""
    root = parse_html(page)
    links = root.find_all("a", where=lambda n: "viewRequisition" in (n.get("href") or ""))
    postings: dict[str, AtsPosting] = {}
    for link in links:
        href = urljoin(url, link.get("href") or "") if board.host else link.get("href") or ""
        rid = _RID.search(href)
        if rid is None or rid[1] in postings or not link.text():
            continue
        if "viewJobLink" not in link.classes and link.ancestor("h4") is None:
            continue
        absolute = href if href.startswith(("https://", "http://")) else None
        postings[rid[1]] = AtsPosting(
            ats="taleo",
            tenant=board.tenant,
            source_id=rid[1],
            title=link.text(),
            url=absolute,
            apply_url=absolute,
            raw={"href": link.get("href")},
        )
    return list(postings.values())


def _detail_page(board: BoardRef, page: str, posting_id: str) -> AtsPosting | None:
    """A posting page's schema.org JobPosting; None when it carries none. Its URL is the
    canonical detail URL when the board names its career section (or TBE instance)."""
    url = _detail_url(board, posting_id) if board.site else None
    posting = posting_for_adapter(
        page, url or "", ats="taleo", tenant=board.tenant, source_id=posting_id
    )
    if posting is not None:
        posting.url = url or posting.url or None
        posting.apply_url = posting.apply_url or posting.url
    return posting


def _posting_id_in(page: str) -> str | None:
    """The requisition a posting page is about, from its own URL (`rid=` or `job=`)."""
    urls = self_urls(parse_html(page)) + [p.url or "" for p in extract_job_postings(page, "")]
    for url in urls:
        found = query_value(url, "rid") or query_value(url, "job")
        if found:
            return found
    return None


def _requisitions(data: Any) -> list[Any]:
    """The `requisitionList` of a `searchjobs` answer; AtsError for any other shape."""
    if not isinstance(data, dict) or not isinstance(data.get("requisitionList"), list):
        raise AtsError("The Taleo job search answered an unexpected shape.")
    requisitions: list[Any] = data["requisitionList"]
    return requisitions


def _enterprise_page(
    data: dict[str, Any], board: BoardRef, host: str, section: str
) -> list[AtsPosting]:
    """The rows of one `searchjobs` answer, one per contest number."""
    return first_per_id(
        _enterprise_row(item, board, host, section)
        for item in _requisitions(data)
        if isinstance(item, dict)
    )


def _is_tbe(board: BoardRef) -> bool:
    return bool(board.host and _TBE_HOST.match(board.host))


def _host(board: BoardRef) -> str:
    return board.host or f"{board.tenant}.taleo.net"


def _detail_url(board: BoardRef, posting_id: str) -> str:
    if _is_tbe(board):
        instance, _, cws = (board.site or "").partition(":")
        return (
            f"https://{board.host}/{instance}/ats/careers/v2/viewRequisition"
            f"?org={board.tenant}&cws={cws}&rid={posting_id}"
        )
    section = (board.site or "").partition(":")[0]
    return f"https://{_host(board)}/careersection/{section}/jobdetail.ftl?job={posting_id}&lang=en"


async def _find_portal(http: AtsHttp, host: str, section: str) -> str:
    page = await http.text(
        "GET",
        f"https://{host}/careersection/{section}/jobsearch.ftl?lang=en",
        follow_redirects=True,
    )
    found = _PORTAL.search(page)
    if found is None:
        raise AtsError("The Taleo career section page names no portal.")
    return found[1]


def _locations(value: Any) -> list[str]:
    text = clean(value)
    if text.startswith("["):
        try:
            decoded = json.loads(text)
        except ValueError:
            return [text]
        if isinstance(decoded, list):
            return [clean(item) for item in decoded if clean(item)]
    return [text] if text else []


def _enterprise_row(item: dict[str, Any], board: BoardRef, host: str, section: str) -> AtsPosting:
    raw_columns = item.get("column")
    columns: list[Any] = raw_columns if isinstance(raw_columns, list) else []
    contest = clean(item.get("contestNo")) or clean(item.get("jobId"))
    title = clean(columns[0]) if columns else ""
    if not contest or not title:
        raise AtsError("A Taleo search row had no id or title.")
    posted_raw = clean(columns[2]) if len(columns) > 2 else ""
    url = (
        f"https://{host}/careersection/{section}/jobdetail.ftl?job={contest}&lang=en"
        if section
        else None
    )
    return AtsPosting(
        ats="taleo",
        tenant=board.tenant,
        source_id=contest,
        title=title,
        url=url,
        apply_url=url,
        locations=_locations(columns[1]) if len(columns) > 1 else [],
        posted_at=parse_datetime(posted_raw),
        posted_text=clean_or_none(posted_raw) if not parse_datetime(posted_raw) else None,
        raw=item,
    )
