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

from jobpilot.jobs.ats._html import parse_html
from jobpilot.jobs.ats._util import (
    clean,
    clean_or_none,
    host_of,
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
from jobpilot.jobs.ats.jsonld import posting_for_adapter

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
        url = _detail_url(board, posting_id)
        page = await http.text("GET", url, follow_redirects=True)
        posting = posting_for_adapter(
            page, url, ats=self.name, tenant=board.tenant, source_id=posting_id
        )
        if posting is None:
            raise AtsError("The Taleo posting page carries no structured description.")
        posting.url = url
        return posting

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
            if not isinstance(data, dict) or not isinstance(data.get("requisitionList"), list):
                raise AtsError("The Taleo job search answered an unexpected shape.")
            if data.get("careerSectionUnAvailable") is True:
                raise BoardNotFound
            rows = [
                _enterprise_row(item, board, host, section)
                for item in data["requisitionList"]
                if isinstance(item, dict)
            ]
            fresh = [row for row in rows if row.source_id not in postings]
            postings.update((row.source_id, row) for row in fresh)
            paging = data.get("pagingData")
            total = paging.get("totalCount") if isinstance(paging, dict) else None
            if not fresh or not isinstance(total, int) or len(postings) >= total:
                break
        return list(postings.values())

    async def _list_tbe(self, http: AtsHttp, board: BoardRef) -> list[AtsPosting]:
        instance, _, cws = (board.site or "").partition(":")
        url = (
            f"https://{board.host}/{instance}/ats/careers/v2/searchResults"
            f"?org={board.tenant}&cws={cws}"
        )
        page = await http.text("GET", url)
        root = parse_html(page)
        links = root.find_all("a", where=lambda n: "viewRequisition" in (n.get("href") or ""))
        if not links and "oracletaleocwsv2" not in page:
            raise AtsError("The Taleo search page had an unexpected shape.")
        postings: dict[str, AtsPosting] = {}
        for link in links:
            href = urljoin(url, link.get("href") or "")
            rid = _RID.search(href)
            if rid is None or rid[1] in postings or not link.text():
                continue
            if "viewJobLink" not in link.classes and link.ancestor("h4") is None:
                continue
            postings[rid[1]] = AtsPosting(
                ats=self.name,
                tenant=board.tenant,
                source_id=rid[1],
                title=link.text(),
                url=href,
                apply_url=href,
                raw={"href": link.get("href")},
            )
        return list(postings.values())


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
    url = f"https://{host}/careersection/{section}/jobdetail.ftl?job={contest}&lang=en"
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
