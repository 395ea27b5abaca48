"""Personio: the public XML feed of a `{company}.jobs.personio.de|com` career site."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from jobpilot.jobs.ats._util import (
    first_per_id,
    get_unless_redirected,
    parse_datetime,
    parse_xml,
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

_HOST = re.compile(r"^(?P<co>[a-z0-9][a-z0-9-]*)\.jobs\.personio\.(?:de|com)$")


def _child(element: ET.Element, tag: str) -> str | None:
    found = element.find(tag)
    value = (found.text or "").strip() if found is not None else ""
    return value or None


def _as_dict(position: ET.Element) -> dict[str, Any]:
    """The position as plain data for `raw`: leaf text, lists for repeated children."""
    data: dict[str, Any] = {}
    for child in position:
        if len(child):
            data[child.tag] = [
                {sub.tag: (sub.text or "").strip() for sub in grandchild}
                if len(grandchild)
                else (grandchild.text or "").strip()
                for grandchild in child
            ]
        else:
            data[child.tag] = (child.text or "").strip()
    return data


class PersonioAdapter:
    """Personio career sites (`{company}.jobs.personio.de[/job/{id}]`, also `.com`)."""

    name = "personio"

    def detect(self, url: str) -> BoardRef | None:
        """The career site (and position) of a Personio URL."""
        split = split_url(url)
        if split is None:
            return None
        host, segments = split.host, list(split.parts)
        match = _HOST.match(host)
        if match is None or match["co"] == "www":
            return None
        posting_id = None
        if segments:
            if segments[0].lower() == "job" and len(segments) >= 2 and segments[1].isdigit():
                posting_id = segments[1]
            elif segments[0].lower() not in ("xml", "search.json", "search", "jobs"):
                return None
        return BoardRef(self.name, match["co"], posting_id, host=host)

    async def list_postings(self, http: AtsHttp, board: BoardRef) -> list[AtsPosting]:
        """Every position of the XML feed (one document, no pages)."""
        host = board.host or f"{board.tenant}.jobs.personio.de"
        # An unknown company redirects to personio.de instead of answering 404.
        response = await get_unless_redirected(http, f"https://{host}/xml")
        return self._feed(board, parse_xml(response.content))

    def parse_payload(self, board: BoardRef, body: str) -> list[AtsPosting]:
        """Postings of the XML feed (`<workzag-jobs><position>...`); single positions are read
        from it too, so it is the only body this adapter receives."""
        return self._feed(board, parse_xml(body))

    def _feed(self, board: BoardRef, root: ET.Element) -> list[AtsPosting]:
        if root.tag != "workzag-jobs":
            raise AtsError("The Personio feed is not a <workzag-jobs> document.")
        host = board.host or f"{board.tenant}.jobs.personio.de"
        return first_per_id(
            self._posting(board, host, position) for position in root.findall("position")
        )

    def _posting(self, board: BoardRef, host: str, position: ET.Element) -> AtsPosting:
        source_id, title = _child(position, "id"), _child(position, "name")
        if source_id is None or title is None:
            raise AtsError("A Personio position lacks its id or name.")
        locations = [office for office in [_child(position, "office")] if office]
        for office in position.findall("additionalOffices/office"):
            if (name := (office.text or "").strip()) and name not in locations:
                locations.append(name)
        sections = []
        for description in position.findall("jobDescriptions/jobDescription"):
            heading, body = _child(description, "name"), _child(description, "value")
            if body:
                sections.append(f"<h3>{heading}</h3>\n{body}" if heading else body)
        kinds = [_child(position, "employmentType"), _child(position, "schedule")]
        url = f"https://{host}/job/{source_id}"
        return AtsPosting(
            ats=self.name,
            tenant=board.tenant,
            source_id=source_id,
            title=title,
            url=url,
            apply_url=url,
            company_name=_child(position, "subcompany"),
            department=_child(position, "department"),
            employment_type=", ".join(kind for kind in kinds if kind) or None,
            locations=locations,
            description_html="\n".join(sections) or None,
            posted_at=parse_datetime(_child(position, "createdAt")),
            raw=_as_dict(position),
        )

    async def get_posting(self, http: AtsHttp, board: BoardRef, posting_id: str) -> AtsPosting:
        """One position, read from the feed (which carries each description in full)."""
        for posting in await self.list_postings(http, board):
            if posting.source_id == posting_id.strip():
                return posting
        raise BoardNotFound

    async def get_application_form(
        self, http: AtsHttp, board: BoardRef, posting_id: str
    ) -> list[FormQuestion] | None:
        """None: Personio publishes no form definition (its apply API needs the employer's key)."""
        return None
