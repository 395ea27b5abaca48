"""Jobvite hosted boards (`jobs.jobvite.com/{co}`): search result pages and posting pages.

Search rows are parsed as in the captured `jobvite/feedingamerica_search_trimmed.html`
(`a[href*=/job/{id}]`, `td.jv-job-list-location`); paging follows `.jv-pagination-text`
("1-20 of N", documented). Posting pages are read from their schema.org JSON-LD.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from jobpilot.jobs.ats._html import Node, parse_html, self_urls
from jobpilot.jobs.ats._util import clean, clean_or_none, first_per_id, host_of, path_parts
from jobpilot.jobs.ats.base import AtsError, AtsHttp, AtsPosting, BoardRef, FormQuestion
from jobpilot.jobs.ats.jsonld import extract_job_postings, posting_for_adapter

HOST = "jobs.jobvite.com"
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_JOB_HREF = re.compile(r"/job/(?P<id>[A-Za-z0-9_-]+)(?:[/?#]|$)")
_PAGING = re.compile(r"(\d+)\s*-\s*(\d+)\s+of\s+(\d+)", re.IGNORECASE)
_RESERVED = {"careers", "job", "jobs", "search", "static", "api"}
_MAX_PAGES = 200


class JobviteAdapter:
    """A Jobvite hosted careers site (no public form definition)."""

    name = "jobvite"

    def detect(self, url: str) -> BoardRef | None:
        """`jobs.jobvite.com/{co}[/search|/jobs|/job/{id}[/apply]]` and `/careers/{co}/...`."""
        if host_of(url) != HOST:
            return None
        parts = path_parts(url)
        site = None
        if parts[:1] == ["careers"]:
            site, parts = "careers", parts[1:]
        if not parts or not _SLUG.match(parts[0]) or parts[0].lower() in _RESERVED:
            return None
        posting_id = None
        if len(parts) >= 3 and parts[1] == "job" and _SLUG.match(parts[2]):
            posting_id = parts[2]
        return BoardRef(self.name, parts[0], posting_id, site=site)

    async def list_postings(self, http: AtsHttp, board: BoardRef) -> list[AtsPosting]:
        """Every row of `/{co}/search?p={page}` (0-based), following "1-20 of N"."""
        postings: dict[str, AtsPosting] = {}
        for page in range(_MAX_PAGES):
            text = await http.text("GET", f"{_base(board)}/search?p={page}")
            root = parse_html(text)
            rows = _search_page(text, root, board)
            fresh = [row for row in rows if row.source_id not in postings]
            postings.update((row.source_id, row) for row in fresh)
            marker = root.find(cls="jv-pagination-text")
            paging = _PAGING.search(marker.text()) if marker else None
            # No pager means the whole list fit on this page.
            if not fresh or paging is None or int(paging[2]) >= int(paging[3]):
                break
        return list(postings.values())

    async def get_posting(self, http: AtsHttp, board: BoardRef, posting_id: str) -> AtsPosting:
        """The posting page's JSON-LD, with the apply link and meta line."""
        page = await http.text("GET", f"{_base(board)}/job/{posting_id}", follow_redirects=True)
        posting = _detail_page(board, page, parse_html(page), posting_id)
        if posting is None:
            raise AtsError("The Jobvite posting page had no description.")
        return posting

    def parse_payload(self, board: BoardRef, body: str) -> list[AtsPosting]:
        """Postings of a search page (`a[href*=/job/{id}]` rows) or of one posting page
        (JSON-LD, else `.jv-job-detail-description`), named by `board.posting_id` or by the
        page itself."""
        root = parse_html(body)
        rows = _rows(root, board)
        described = bool(extract_job_postings(body, _base(board)))
        if rows and not described:
            return first_per_id(rows)
        posting_id = board.posting_id or _posting_id_in(root, body, board)
        posting = _detail_page(board, body, root, posting_id) if posting_id else None
        if posting is not None:
            return [posting]
        if described:
            raise AtsError("The Jobvite posting page names no posting id.")
        return first_per_id(_search_page(body, root, board))

    async def get_application_form(
        self, http: AtsHttp, board: BoardRef, posting_id: str
    ) -> list[FormQuestion] | None:
        """None: Jobvite publishes no application form definition."""
        return None


def _base(board: BoardRef) -> str:
    prefix = f"{board.site}/" if board.site else ""
    return f"https://{HOST}/{prefix}{board.tenant}"


def _search_page(page: str, root: Node, board: BoardRef) -> list[AtsPosting]:
    """The rows of one search page; AtsError when it is no Jobvite page at all."""
    rows = _rows(root, board)
    if not rows and "jv-" not in page and "jobvite" not in page.lower():
        raise AtsError("The Jobvite search page had an unexpected shape.")
    return rows


def _detail_page(board: BoardRef, page: str, root: Node, posting_id: str) -> AtsPosting | None:
    """A posting page's JSON-LD (else its `.jv-header` and description), with the apply link
    and meta line; None when it describes no posting."""
    url = f"{_base(board)}/job/{posting_id}"
    posting = posting_for_adapter(
        page, url, ats="jobvite", tenant=board.tenant, source_id=posting_id
    )
    if posting is None:
        heading = root.find(cls="jv-header") or root.find("h1")
        body = root.find(cls="jv-job-detail-description")
        if heading is None or body is None or not heading.text():
            return None
        posting = AtsPosting(
            ats="jobvite",
            tenant=board.tenant,
            source_id=posting_id,
            title=heading.text(),
            url=url,
            description_html=body.inner_html().strip(),
        )
    meta = root.find(cls="jv-job-detail-meta")
    if meta is not None:
        department, _, location = meta.text().partition("|")
        posting.department = posting.department or clean_or_none(department)
        if not posting.locations and clean(location):
            posting.locations = [clean(location)]
    apply = root.find("a", cls="jv-button-apply")
    posting.apply_url = urljoin(url, apply.get("href") or "") if apply else f"{url}/apply"
    return posting


def _posting_id_in(root: Node, page: str, board: BoardRef) -> str | None:
    """The posting a page is about, from the URL it gives for itself or its JobPosting."""
    urls = self_urls(root) + [p.url or "" for p in extract_job_postings(page, "")]
    for url in urls:
        found = _JOB_HREF.search(urlsplit(url).path)
        if found is not None and f"/{board.tenant}/job/" in url:
            return found["id"]
    return None


def _rows(root: Node, board: BoardRef) -> list[AtsPosting]:
    rows: list[AtsPosting] = []
    for anchor in root.find_all("a", where=lambda n: bool(_JOB_HREF.search(n.get("href") or ""))):
        url = urljoin(f"https://{HOST}/", anchor.get("href") or "")
        found = _JOB_HREF.search(urlsplit(url).path)
        if found is None or host_of(url) != HOST or f"/{board.tenant}/job/" not in url:
            continue
        name = anchor.find(cls="jv-job-list-name")
        title = (name or anchor).text()
        if not title:
            continue
        scope = anchor.ancestor("tr") or anchor.parent or anchor
        cell = anchor.find(cls="jv-job-list-location") or scope.find(cls="jv-job-list-location")
        location = cell.text() if cell is not None else ""
        rows.append(
            AtsPosting(
                ats="jobvite",
                tenant=board.tenant,
                source_id=found["id"],
                title=title,
                url=f"https://{HOST}{urlsplit(url).path}",
                apply_url=f"https://{HOST}{urlsplit(url).path}/apply",
                locations=[location] if location else [],
                raw={"href": anchor.get("href")},
            )
        )
    return rows
