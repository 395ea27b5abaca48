"""Breezy HR: the public board JSON (`{company}.breezy.hr/json`)."""

from __future__ import annotations

from typing import Any

from jobpilot.jobs.ats._util import (
    dicts_in,
    json_body,
    list_of,
    parse_datetime,
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
)

DOMAIN = "breezy.hr"
# Breezy's own sites, not company boards.
RESERVED = frozenset({"www", "app", "api", "developer", "help", "support", "blog", "marketplace"})


class BreezyAdapter:
    """Breezy HR boards on `{company}.breezy.hr`."""

    name = "breezy"

    def detect(self, url: str) -> BoardRef | None:
        """The company (and position id) of a Breezy board, position or apply URL."""
        split = split_url(url)
        if split is None:
            return None
        company = subdomain_of(split.host, DOMAIN)
        if company is None or company in RESERVED:
            return None
        parts = split.parts
        position = None
        if len(parts) >= 2 and parts[0] == "p":
            # `/p/{id}-{slug}`: the id is the part before the first dash.
            position = parts[1].split("-", 1)[0] or None
        return BoardRef(ats=self.name, tenant=company, posting_id=position)

    async def list_postings(self, http: AtsHttp, board: BoardRef) -> list[AtsPosting]:
        """Every published position; the board JSON has them all, without descriptions."""
        return [self._posting(board, item) for item in await self._positions(http, board)]

    async def get_posting(self, http: AtsHttp, board: BoardRef, posting_id: str) -> AtsPosting:
        """One position by id or `{id}-{slug}`, from the board JSON (no description there)."""
        for item in await self._positions(http, board):
            if posting_id in (item.get("id"), item.get("friendly_id")):
                return self._posting(board, item)
        raise BoardNotFound

    async def get_application_form(
        self, http: AtsHttp, board: BoardRef, posting_id: str
    ) -> list[FormQuestion] | None:
        """None: Breezy publishes no form definition outside its apply page's scripts."""
        return None

    def parse_payload(self, board: BoardRef, body: str) -> list[AtsPosting]:
        """Postings of the board JSON (a bare array of positions, the only JSON Breezy serves:
        a single position is read from it too)."""
        return [self._posting(board, item) for item in _position_list(json_body(body))]

    async def _positions(self, http: AtsHttp, board: BoardRef) -> list[dict[str, Any]]:
        return _position_list(await http.json("GET", f"https://{board.tenant}.{DOMAIN}/json"))

    def _posting(self, board: BoardRef, item: dict[str, Any]) -> AtsPosting:
        source_id = text_or_none(item.get("id"))
        title = text_or_none(item.get("name"))
        if source_id is None or title is None:
            raise AtsError("The job board sent a position without an id or name.")
        primary = item.get("location")
        places = [primary] if isinstance(primary, dict) else []
        places += dicts_in(item.get("locations"))
        kind = item.get("type")
        company = item.get("company")
        url = text_or_none(item.get("url"))
        remote = any(place.get("is_remote") is True for place in places)
        return AtsPosting(
            ats=self.name,
            tenant=board.tenant,
            source_id=source_id,
            title=title,
            url=url,
            apply_url=f"{url.rstrip('/')}/apply" if url else None,
            company_name=text_or_none(company.get("name")) if isinstance(company, dict) else None,
            department=text_or_none(item.get("department")),
            employment_type=text_or_none(kind.get("name")) if isinstance(kind, dict) else None,
            locations=unique([text_or_none(place.get("name")) or "" for place in places]),
            workplace="remote" if remote else None,
            posted_at=parse_datetime(item.get("published_date")),
            salary_text=text_or_none(item.get("salary")),
            raw=item,
        )


def _position_list(body: Any) -> list[dict[str, Any]]:
    """The positions of a board JSON body (a bare array)."""
    return dicts_in(list_of(body, "position list"))
