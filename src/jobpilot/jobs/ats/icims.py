"""iCIMS portals (`careers-{co}.icims.com`): the search result pages and the posting pages.

Search rows are parsed as in the captured `icims/wipfli_jobs_search_trimmed.html`
(`li.iCIMS_JobCardItem`, `a.iCIMS_Anchor`, "Job Locations" header, `dl.iCIMS_JobHeaderGroup`).
Posting pages are read from their schema.org JSON-LD, else from the iCIMS header tags and
`.iCIMS_InfoMsg_Job` sections (documented shape, no captured detail page yet).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from jobpilot.jobs.ats._html import Node, parse_html, self_urls
from jobpilot.jobs.ats._util import clean, first_per_id, host_of, path_parts, unique
from jobpilot.jobs.ats.base import AtsError, AtsHttp, AtsPosting, BoardRef, FormQuestion
from jobpilot.jobs.ats.jsonld import extract_job_postings, posting_for_adapter

_HOST = re.compile(r"^(?P<prefix>[a-z0-9]+)-(?P<co>[a-z0-9][a-z0-9-]*)\.icims\.com$")
_JOB_HREF = re.compile(r"/jobs/(?P<id>\d+)(?:/|$)")
_PAGING = re.compile(r"Page\s+(\d+)\s+of\s+(\d+)", re.IGNORECASE)
_LOCATION_FIELDS = ("Job Locations", "Job Location", "Location", "Locations")
_MAX_PAGES = 200


class IcimsAdapter:
    """An iCIMS career portal (hosted search pages; no public form definition)."""

    name = "icims"

    def detect(self, url: str) -> BoardRef | None:
        """`careers-{co}.icims.com/jobs/...` (also `uscareers-`, `jobs-` and other prefixes)."""
        host = host_of(url)
        match = _HOST.match(host)
        parts = path_parts(url)
        if not match or not parts or parts[0] != "jobs":
            return None
        posting_id = parts[1] if len(parts) > 1 and parts[1].isdigit() else None
        return BoardRef(self.name, match["co"], posting_id, host=host)

    async def list_postings(self, http: AtsHttp, board: BoardRef) -> list[AtsPosting]:
        """Every row of `/jobs/search?ss=1&in_iframe=1&pr={page}`, until a page has none."""
        host = _host(board)
        postings: dict[str, AtsPosting] = {}
        for page in range(_MAX_PAGES):
            url = f"https://{host}/jobs/search?ss=1&in_iframe=1&pr={page}"
            text = await http.text("GET", url)
            rows = _search_page(text, host, board.tenant)
            fresh = [row for row in rows if row.source_id not in postings]
            postings.update((row.source_id, row) for row in fresh)
            paging = _PAGING.search(parse_html(text).text())
            if not fresh or (paging and int(paging[1]) >= int(paging[2])):
                break
        return list(postings.values())

    async def get_posting(self, http: AtsHttp, board: BoardRef, posting_id: str) -> AtsPosting:
        """The posting page: JSON-LD when present, else its header tags and sections."""
        host = _host(board)
        url = f"https://{host}/jobs/{posting_id}/job?in_iframe=1"
        page = await http.text("GET", url, follow_redirects=True)
        posting = _detail_page(board, page, posting_id)
        if posting is None:
            raise AtsError("The iCIMS posting page had no title.")
        return posting

    def parse_payload(self, board: BoardRef, body: str) -> list[AtsPosting]:
        """Postings of a search results page (`li.iCIMS_JobCardItem` rows) or of one posting
        page (JSON-LD, else header tags), named by `board.posting_id` or by the page itself."""
        host = _host(board)
        rows = _search_rows(body, host, board.tenant)
        described = bool(extract_job_postings(body, f"https://{host}/"))
        if rows and not described:
            return first_per_id(rows)
        posting_id = board.posting_id or _posting_id_in(body)
        posting = _detail_page(board, body, posting_id) if posting_id else None
        if posting is not None:
            return [posting]
        if described:
            raise AtsError("The iCIMS posting page names no posting id.")
        return first_per_id(_search_page(body, host, board.tenant))

    async def get_application_form(
        self, http: AtsHttp, board: BoardRef, posting_id: str
    ) -> list[FormQuestion] | None:
        """None: iCIMS applies through a multi-step candidate login, with no public definition."""
        return None


def _host(board: BoardRef) -> str:
    return board.host or f"careers-{board.tenant}.icims.com"


def _search_page(page: str, host: str, tenant: str) -> list[AtsPosting]:
    """The rows of one search results page; AtsError when it is no iCIMS page at all."""
    rows = _search_rows(page, host, tenant)
    if not rows and "iCIMS" not in page:
        raise AtsError("The iCIMS search page had an unexpected shape.")
    return rows


def _detail_page(board: BoardRef, page: str, posting_id: str) -> AtsPosting | None:
    """A posting page: JSON-LD when present, else its header tags; None without a title."""
    canonical = f"https://{_host(board)}/jobs/{posting_id}/job"
    posting = posting_for_adapter(
        page, canonical, ats="icims", tenant=board.tenant, source_id=posting_id
    )
    if posting is not None:
        return posting
    root = parse_html(page)
    heading = root.find(cls="iCIMS_Header") or root.find("h1")
    sections = root.find_all("div", cls="iCIMS_InfoMsg_Job")
    if heading is None or not heading.text():
        return None
    fields = _header_fields(root)
    location = next((fields[name] for name in _LOCATION_FIELDS if name in fields), None)
    return AtsPosting(
        ats="icims",
        tenant=board.tenant,
        source_id=posting_id,
        title=heading.text(),
        url=canonical,
        apply_url=f"{canonical}?mode=apply&apply=yes",
        department=fields.get("Department") or fields.get("Category"),
        employment_type=fields.get("Type") or fields.get("Position Type"),
        locations=[location] if location else [],
        description_html="".join(s.outer_html() for s in sections) or None,
        raw={"fields": fields},
    )


def _posting_id_in(page: str) -> str | None:
    """The posting a page is about, from the URL it gives for itself or its JobPosting."""
    urls = self_urls(parse_html(page)) + [p.url or "" for p in extract_job_postings(page, "")]
    for url in urls:
        found = _JOB_HREF.search(urlsplit(url).path)
        if found is not None:
            return found["id"]
    return None


def _header_fields(scope: Node) -> dict[str, str]:
    fields: dict[str, str] = {}
    for tag in scope.find_all(cls="iCIMS_JobHeaderTag"):
        name, value = tag.find(cls="iCIMS_JobHeaderField"), tag.find(cls="iCIMS_JobHeaderData")
        if name is not None and value is not None and name.text():
            fields[name.text()] = value.text()
    # Card headers: `<span class="sr-only field-label">Job Locations</span><span>US</span>`.
    for label in scope.find_all("span", cls="field-label"):
        holder = label.parent
        if holder is None or holder.tag == "a":
            continue
        shown = clean(holder.text().removeprefix(label.text()))
        if label.text() and shown:
            fields.setdefault(label.text(), shown)
    return fields


def _row_of(anchor: Node) -> Node:
    node: Node | None = anchor
    while node is not None:
        if node.tag == "li" or "iCIMS_JobCardItem" in node.classes or node.tag == "tr":
            return node
        node = node.parent
    return anchor.parent or anchor


def _title(anchor: Node, posting_id: str) -> str:
    heading = anchor.find("h3") or anchor.find("h2")
    if heading is not None and heading.text():
        return heading.text()
    attr = clean(anchor.get("title"))
    if attr.startswith(f"{posting_id} - "):
        return attr.removeprefix(f"{posting_id} - ")
    labels = [label.text() for label in anchor.find_all("span", cls="field-label")]
    text = anchor.text()
    for label in labels:
        text = text.replace(label, "", 1)
    return clean(text)


def _search_rows(page: str, host: str, tenant: str) -> list[AtsPosting]:
    root = parse_html(page)
    rows: list[AtsPosting] = []
    anchors = root.find_all(
        "a", where=lambda n: bool(_JOB_HREF.search(urlsplit(n.get("href") or "").path))
    )
    for anchor in anchors:
        if "iCIMS_Anchor" not in anchor.classes and anchor.find("h3") is None:
            continue
        href = urljoin(f"https://{host}/", anchor.get("href") or "")
        found = _JOB_HREF.search(urlsplit(href).path)
        if found is None:
            continue
        posting_id = found["id"]
        title = _title(anchor, posting_id)
        if not title:
            continue
        fields = _header_fields(_row_of(anchor))
        fields.pop("Job Title", None)
        locations = unique([fields.get(name, "") for name in _LOCATION_FIELDS])
        page_url = f"https://{host}{urlsplit(href).path}"
        rows.append(
            AtsPosting(
                ats="icims",
                tenant=tenant,
                source_id=posting_id,
                title=title,
                url=page_url,
                apply_url=f"{page_url}?mode=apply&apply=yes",
                locations=locations,
                raw={"fields": fields, "href": anchor.get("href")},
            )
        )
    return rows
