"""SmartRecruiters: the public Posting API and the one-click apply page's form configuration."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from jobpilot.jobs.ats._util import (
    dict_of,
    dict_or_empty,
    first_per_id,
    form_error,
    json_body,
    list_of,
    parse_datetime,
    scalar_text,
    split_url,
)
from jobpilot.jobs.ats.base import (
    AtsError,
    AtsHttp,
    AtsPosting,
    BoardRef,
    FormQuestion,
    QuestionType,
)

API = "https://api.smartrecruiters.com/v1/companies"
JOBS = "https://jobs.smartrecruiters.com"
PAGE_SIZE = 100
MAX_PAGES = 100

_COMPANY = re.compile(r"^[\w.-]+$")
_POSTING = re.compile(r"^(\d+)(?:-|$)")
_COMPANY_ID = re.compile(r"^[0-9a-f]{24}$")
_RESERVED = {"oneclick-ui", "external-referrals", "sr-jobs", "api"}
_SECTIONS = ("companyDescription", "jobDescription", "qualifications", "additionalInformation")

# fieldSets of the one-click apply config: (field set, key, label, type); nested sets below.
_FIELDS: tuple[tuple[str, str, str, QuestionType], ...] = (
    ("firstAndLastName", "firstName", "First name", "text"),
    ("firstAndLastName", "lastName", "Last name", "text"),
    ("email", "email", "Email", "email"),
    ("email", "confirmEmail", "Confirm email", "email"),
    ("phoneNumber", "phoneNumber", "Phone number", "phone"),
    ("placeOfResidence", "placeOfResidence", "City", "text"),
    ("resume", "resume", "Resume", "file"),
    ("experience", "experience", "Experience", "textarea"),
    ("education", "education", "Education", "textarea"),
    ("messageToHiringManager", "messageToHiringManager", "Message to hiring manager", "textarea"),
)
_SOCIAL: tuple[tuple[str, str], ...] = (
    ("linkedIn", "LinkedIn"),
    ("website", "Website"),
    ("facebook", "Facebook"),
    ("x", "X"),
)


def questions_from_oneclick_config(config: Any) -> list[FormQuestion]:
    """The visible page-1 boxes described by a one-click apply `config` (`fieldSets`)."""
    field_sets = dict_or_empty(dict_of(config, "application form", "fieldSets")["fieldSets"])
    questions: list[FormQuestion] = []
    for set_name, key, label, kind in _FIELDS:
        spec = dict_or_empty(field_sets.get(set_name))
        if spec.get("visible") is True:
            required = spec.get("required") is True
            questions.append(FormQuestion(key, label, kind, required=required))
    social = dict_or_empty(field_sets.get("socialProfiles"))
    if social.get("visible") is True:
        for key, label in _SOCIAL:
            spec = dict_or_empty(social.get(key))
            if spec.get("visible") is True:
                required = spec.get("required") is True
                questions.append(FormQuestion(key, label, "url", required=required))
    return questions


def _location(location: dict[str, Any]) -> str | None:
    if full := scalar_text(location.get("fullLocation")):
        return full
    country = scalar_text(location.get("country"))
    parts = [
        scalar_text(location.get("city")),
        scalar_text(location.get("region")),
        country and country.upper(),
    ]
    joined = ", ".join(part for part in parts if part)
    return joined or None


def _workplace(location: dict[str, Any]) -> str | None:
    if location.get("remote") is True:
        return "remote"
    if location.get("hybrid") is True:
        return "hybrid"
    if location.get("remote") is False:
        return "onsite"
    return None


class SmartRecruitersAdapter:
    """SmartRecruiters career pages (`jobs.` / `careers.smartrecruiters.com/{Company}`)."""

    name = "smartrecruiters"

    def detect(self, url: str) -> BoardRef | None:
        """The company (and posting) of a SmartRecruiters careers or API URL."""
        split = split_url(url)
        if split is None:
            return None
        host, segments = split.host, list(split.parts)
        if host == "api.smartrecruiters.com":
            if len(segments) < 3 or segments[0] != "v1" or segments[1] != "companies":
                return None
            segments = segments[2:]
            if len(segments) >= 3 and segments[1] == "postings":
                segments = [segments[0], segments[2]]
        elif host not in ("jobs.smartrecruiters.com", "careers.smartrecruiters.com"):
            return None
        if not segments or segments[0].lower() in _RESERVED or not _COMPANY.match(segments[0]):
            return None
        posting_id = None
        if len(segments) > 1:
            match = _POSTING.match(segments[1])
            if match is None:
                return None
            posting_id = match[1]
        return BoardRef(self.name, segments[0], posting_id)

    def _company(self, board: BoardRef) -> str:
        return f"{API}/{quote(board.tenant, safe='')}"

    async def list_postings(self, http: AtsHttp, board: BoardRef) -> list[AtsPosting]:
        """Every posting, paging with `limit`/`offset` until `totalFound`.

        An unknown company answers 200 with nothing found, so it yields an empty list.
        """
        postings: dict[str, AtsPosting] = {}
        offset = 0
        for _ in range(MAX_PAGES):
            url = f"{self._company(board)}/postings?limit={PAGE_SIZE}&offset={offset}"
            payload = dict_of(await http.json("GET", url), "job list", "content", "totalFound")
            content = list_of(payload.get("content"), "job list")
            for posting in self._page(board, content):
                postings.setdefault(posting.source_id, posting)
            total = payload["totalFound"]
            offset += PAGE_SIZE
            if not content or not isinstance(total, int) or offset >= total:
                break
        return list(postings.values())

    def parse_payload(self, board: BoardRef, body: str) -> list[AtsPosting]:
        """Postings of a Posting API page (`{"content": [...], "totalFound": N}`) or one
        posting's detail. The one-click apply `config` (`fieldSets`) is refused as a form."""
        data = json_body(body)
        if isinstance(data, dict) and "content" in data and "totalFound" in data:
            return self._page(board, list_of(data["content"], "job list"))
        if isinstance(data, dict) and "fieldSets" in data and "name" not in data:
            raise form_error()
        if isinstance(data, dict) and "id" in data and "name" in data:
            return [self._posting(board, data)]
        raise AtsError("The body is not a SmartRecruiters posting list or posting.")

    def _page(self, board: BoardRef, content: list[Any]) -> list[AtsPosting]:
        return first_per_id(
            self._posting(board, dict_of(item, "job", "id", "name")) for item in content
        )

    def _posting(self, board: BoardRef, item: dict[str, Any]) -> AtsPosting:
        source_id = scalar_text(item.get("id"))
        title = scalar_text(item.get("name"))
        if source_id is None or title is None:
            raise AtsError("A SmartRecruiters posting lacks its id or name.")
        location = dict_or_empty(item.get("location"))
        sections = dict_or_empty(dict_or_empty(item.get("jobAd")).get("sections"))
        html_parts = []
        for name in _SECTIONS:
            section = dict_or_empty(sections.get(name))
            if body := scalar_text(section.get("text")):
                heading = scalar_text(section.get("title"))
                html_parts.append(f"<h3>{heading}</h3>\n{body}" if heading else body)
        tenant = quote(board.tenant, safe="")
        return AtsPosting(
            ats=self.name,
            tenant=board.tenant,
            source_id=source_id,
            title=title,
            url=scalar_text(item.get("postingUrl")) or f"{JOBS}/{tenant}/{source_id}",
            apply_url=scalar_text(item.get("applyUrl")),
            company_name=scalar_text(dict_or_empty(item.get("company")).get("name")),
            department=scalar_text(dict_or_empty(item.get("department")).get("label")),
            employment_type=scalar_text(dict_or_empty(item.get("typeOfEmployment")).get("label")),
            locations=[loc for loc in [_location(location)] if loc],
            workplace=_workplace(location),
            description_html="\n".join(html_parts) or None,
            posted_at=parse_datetime(item.get("releasedDate")),
            closed=item.get("active") is False,
            raw=item,
        )

    async def get_posting(self, http: AtsHttp, board: BoardRef, posting_id: str) -> AtsPosting:
        """One posting with its job ad sections and apply URL."""
        url = f"{self._company(board)}/postings/{quote(posting_id, safe='')}"
        payload = dict_of(await http.json("GET", url), "job", "id", "name")
        return self._posting(board, payload)

    async def get_application_form(
        self, http: AtsHttp, board: BoardRef, posting_id: str
    ) -> list[FormQuestion] | None:
        """Page 1 of the one-click form, when `board.site` holds the 24-hex company id.

        The config lives at `/oneclick-ui/api/company/{companyId}/publication/{uuid}/config`;
        the internal companyId is not in the public posting record, so without it (or for a
        closed posting) there is no definition to read and the answer is None.
        """
        posting = await self.get_posting(http, board, posting_id)
        uuid = scalar_text(posting.raw.get("uuid"))
        company_id = (board.site or "").lower()
        if posting.closed or uuid is None or not _COMPANY_ID.match(company_id):
            return None
        url = f"{JOBS}/oneclick-ui/api/company/{company_id}/publication/{quote(uuid)}/config"
        return questions_from_oneclick_config(await http.json("GET", url))
