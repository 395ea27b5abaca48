"""Homebase hiring pages (`app.joinhomebase.com/jobs/{company}[/{id}]`), read as generic pages.

Built from documented shape, not verified against a captured payload — correct when a real
sample is captured. NOTES.md section 11 found no public listing endpoint, URL pattern or page
for Homebase; the URL form here is the best-known guess, and the pages are read the way any
careers page is: the schema.org JobPosting JSON-LD they carry for search engines, else the
links to `/jobs/{company}/{id}`. The unverified applicant endpoint
(`POST app.joinhomebase.com/hiring/applicants`) is not used: it describes no form.
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import urljoin, urlsplit

from jobpilot.jobs.ats._html import parse_html
from jobpilot.jobs.ats._util import host_of, path_parts
from jobpilot.jobs.ats.base import AtsError, AtsHttp, AtsPosting, BoardRef, FormQuestion
from jobpilot.jobs.ats.jsonld import extract_job_postings, posting_for_adapter

HOST = "app.joinhomebase.com"
_HOSTS = {HOST, "joinhomebase.com", "www.joinhomebase.com"}
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


class HomebaseAdapter:
    """Homebase-hosted hiring pages (best-known shape; no public form definition)."""

    name = "homebase"

    def detect(self, url: str) -> BoardRef | None:
        """`app.joinhomebase.com/jobs/{company}` and `/jobs/{company}/{id}`."""
        parts = path_parts(url)
        if host_of(url) not in _HOSTS or len(parts) < 2 or parts[0] != "jobs":
            return None
        if not all(_SLUG.match(part) for part in parts[1:3]) or len(parts) > 3:
            return None
        return BoardRef(self.name, parts[1], parts[2] if len(parts) == 3 else None)

    async def list_postings(self, http: AtsHttp, board: BoardRef) -> list[AtsPosting]:
        """The company page's JobPostings, else its links to single postings."""
        page = await http.text("GET", _company_url(board), follow_redirects=True)
        return _company_page(board, page)

    async def get_posting(self, http: AtsHttp, board: BoardRef, posting_id: str) -> AtsPosting:
        """The posting page's JSON-LD JobPosting."""
        url = f"https://{HOST}/jobs/{board.tenant}/{posting_id}"
        page = await http.text("GET", url, follow_redirects=True)
        posting = _posting_page(board, page, posting_id)
        if posting is None:
            raise AtsError("The Homebase posting page carries no structured description.")
        return posting

    def parse_payload(self, board: BoardRef, body: str) -> list[AtsPosting]:
        """Postings of a company page (its JobPostings, else its posting links), or of the
        posting page `board.posting_id` names (its JSON-LD JobPosting)."""
        if board.posting_id:
            posting = _posting_page(board, body, board.posting_id)
            if posting is not None:
                return [posting]
        return _company_page(board, body)

    async def get_application_form(
        self, http: AtsHttp, board: BoardRef, posting_id: str
    ) -> list[FormQuestion] | None:
        """None: no public Homebase form definition is known."""
        return None


def _company_url(board: BoardRef) -> str:
    return f"https://{HOST}/jobs/{board.tenant}"


def _company_page(board: BoardRef, page: str) -> list[AtsPosting]:
    """A company page's JobPostings, else its links to `/jobs/{company}/{id}`."""
    url = _company_url(board)
    postings: dict[str, AtsPosting] = {}
    for found in extract_job_postings(page, url):
        posting_id = _posting_id(found.url, board.tenant) or found.source_id
        postings.setdefault(
            posting_id,
            replace(found, ats="homebase", tenant=board.tenant, source_id=posting_id),
        )
    if postings:
        return list(postings.values())
    root = parse_html(page)
    for link in root.find_all("a"):
        href = urljoin(url, link.get("href") or "")
        linked_id = _posting_id(href, board.tenant)
        if linked_id and link.text() and linked_id not in postings:
            postings[linked_id] = AtsPosting(
                ats="homebase",
                tenant=board.tenant,
                source_id=linked_id,
                title=link.text(),
                url=href,
                apply_url=href,
            )
    if not postings and "homebase" not in page.lower():
        raise AtsError("The Homebase page had an unexpected shape.")
    return list(postings.values())


def _posting_page(board: BoardRef, page: str, posting_id: str) -> AtsPosting | None:
    """A posting page's JSON-LD JobPosting; None when it has none."""
    url = f"https://{HOST}/jobs/{board.tenant}/{posting_id}"
    return posting_for_adapter(page, url, ats="homebase", tenant=board.tenant, source_id=posting_id)


def _posting_id(url: str | None, tenant: str) -> str | None:
    if not url or host_of(url) not in _HOSTS:
        return None
    parts = [part for part in urlsplit(url).path.split("/") if part]
    if len(parts) == 3 and parts[:2] == ["jobs", tenant] and _SLUG.match(parts[2]):
        return parts[2]
    return None
