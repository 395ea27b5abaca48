"""Breezy HR: the public board JSON (`{company}.breezy.hr/json`) and the apply page's form.

The apply page (`/p/{id}-{slug}/apply`) carries the form's definition in one of two builds
(NOTES.md §10, measured by cezkid `breezy.md`): the Angular build's hidden `input#questions`
(HTML-escaped JSON of question sections) with a hidden `{part}_required` input per standard part,
or the React build's `script#portal-data` (`position.application_form`: each part `required`,
`optional` or `hidden`; `questions`: the sections). Both draw the same boxes (`cName`, `cEmail`,
`cPhoneNumber`, `cResume`, ..., `section_<id>_question_<n>`), titled by `h3`s, never `<label>`s.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from jobpilot.jobs.ats._html import Node, parse_html
from jobpilot.jobs.ats._util import (
    clean,
    dict_or_empty,
    dicts_in,
    json_body,
    list_of,
    list_or_empty,
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
    QuestionType,
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
        """The definition in the position's apply page. A friendly id (`{id}-{slug}`) names the
        page; a bare id is tried as `/p/{id}/apply`, and when that page carries no definition,
        the board JSON's `friendly_id` of the position names it."""
        wanted = posting_id.strip().strip("/")
        base = f"https://{board.tenant}.{DOMAIN}"
        if "-" in wanted:
            return parse_application_form(await self._apply_page(http, base, wanted))
        page: str | None = None
        try:
            page = await self._apply_page(http, base, wanted)
        except BoardNotFound:
            page = None
        if page is not None and _has_definition(parse_html(page)):
            return parse_application_form(page)
        try:
            positions = await self._positions(http, board)
        except (AtsError, BoardNotFound):
            if page is None:
                raise
            positions = []
        for item in positions:
            friendly = text_or_none(item.get("friendly_id"))
            if item.get("id") == wanted and friendly and friendly != wanted:
                return parse_application_form(await self._apply_page(http, base, friendly))
        if page is None:
            raise BoardNotFound
        return parse_application_form(page)

    async def _apply_page(self, http: AtsHttp, base: str, position: str) -> str:
        return await http.text("GET", f"{base}/p/{position}/apply", follow_redirects=True)

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


# -- the application form -------------------------------------------------------------------

# Breezy's standard boxes: (its `application_form` key, the box's name, its usual title, type).
# Work history, education, headline and photo are repeaters or widgets without a named box.
_STANDARD: tuple[tuple[str, str, str, QuestionType], ...] = (
    ("name", "cName", "Full Name", "text"),
    ("email_address", "cEmail", "Email Address", "email"),
    ("phone_number", "cPhoneNumber", "Phone Number", "phone"),
    ("address", "cAddress", "Address", "text"),
    ("salary", "cSalary", "Desired Salary", "text"),
    ("resume", "cResume", "Resume", "file"),
    ("summary", "cSummary", "Summary", "textarea"),
    ("cover_letter", "cCoverLetter", "Cover Letter", "textarea"),
    ("preferred_location", "cLocation", "Preferred Location", "select"),
)
# The voluntary EEO radios (`application_form.eeoc`), and the CCPA consent box (`.ccpa`).
_EEO: tuple[tuple[str, str], ...] = (
    ("race_ethnicity", "Race or Ethnicity"),
    ("gender", "Gender"),
    ("eeoc.veteran_status", "Veteran Status"),
)
_CCPA = ("ccpaAgreement", "CCPA Agreement")
_CURRENCY = "salaryCurrency"
HONEYPOT = "hp_7f2b"
_QUESTION_TYPES: dict[str, QuestionType] = {
    "text": "text",
    "dropdown": "select",
    "multiplechoice": "select",
    "checkboxes": "multi_select",
    "paragraph": "textarea",
    "date": "date",
    "file": "file",
}
_CLOSED = re.compile(r"position closed|no longer accepting candidates", re.I)
_STATUSES = frozenset({"required", "optional"})


@dataclass
class _Definition:
    """A position's form as either build publishes it: each standard part's status
    (`required`, `optional`, `hidden`) and the employer's question sections."""

    statuses: dict[str, str]
    sections: list[dict[str, Any]]


def parse_application_form(page: str) -> list[FormQuestion]:
    """The questions of a Breezy apply page: the standard boxes its definition asks for, the
    employer's questions (`section_<id>_question_<n>`), the EEO radios and the CCPA box, keyed
    by the names the page's form gives them. Hidden parts and the honeypot are left out."""
    root = parse_html(page)
    form = root.find("form", cls="application-form") or root.find("form") or root
    boxes = _boxes(form)
    definition = _portal_data(root) or _angular(root, boxes)
    if definition is None:
        if _CLOSED.search(root.text()):
            raise BoardNotFound
        raise AtsError("The Breezy apply page carries no application form definition.")
    questions: list[FormQuestion] = []
    statuses = definition.statuses
    for part, name, title, qtype in _STANDARD:
        if statuses.get(part) not in _STATUSES:
            continue
        node = boxes.get(name, [None])[0]
        required = statuses[part] == "required"
        questions.append(
            FormQuestion(
                key=name,
                label=_title_of(node) or title,
                type=qtype,
                required=required,
                options=_options_of(boxes.get(name, [])) if qtype == "select" else (),
                file_types=_accepts(node) if qtype == "file" else (),
            )
        )
        if part == "salary" and _CURRENCY in boxes:
            currency = boxes[_CURRENCY]
            label = f"{_title_of(currency[0]) or title} currency"
            options = _options_of(currency)
            questions.append(FormQuestion(_CURRENCY, label, "select", options=options))
    for section in definition.sections:
        questions += _section_questions(section, boxes)
    eeo = statuses.get("eeoc")
    for name, title in _EEO:
        if name in boxes and eeo != "hidden":
            nodes = boxes[name]
            questions.append(
                FormQuestion(
                    key=name,
                    label=_title_of(nodes[0]) or title,
                    type="select",
                    required=eeo == "required" or _starred(nodes[0]),
                    options=_options_of(nodes),
                )
            )
    name, title = _CCPA
    if name in boxes and statuses.get("ccpa") != "hidden":
        node = boxes[name][0]
        wrapper = node.ancestor("label")
        questions.append(
            FormQuestion(
                key=name,
                label=(clean(wrapper.text()) if wrapper else "") or title,
                type="boolean",
                required=statuses.get("ccpa") == "required" or "required" in node.attrs,
            )
        )
    return questions


def _boxes(form: Node) -> dict[str, list[Node]]:
    """The form's named boxes (radios and tick boxes grouped by name), hidden inputs and the
    honeypot left out."""
    found: dict[str, list[Node]] = {}
    for node in form.iter():
        name = node.get("name")
        if node.tag not in {"input", "select", "textarea"} or not name or name == HONEYPOT:
            continue
        if node.tag == "input" and (node.get("type") or "text").lower() in _NOT_BOXES:
            continue
        found.setdefault(name, []).append(node)
    return found


_NOT_BOXES = frozenset({"hidden", "submit", "button", "image", "reset"})


def _portal_data(root: Node) -> _Definition | None:
    """The React build's definition: `script#portal-data` → `position.application_form` and
    `questions` (under a `data` key, or at the top)."""
    script = root.find("script", id="portal-data")
    if script is None:
        return None
    try:
        body = json.loads(script.raw_text())
    except ValueError as exc:
        raise AtsError("The Breezy apply page's portal data is not JSON.") from exc
    data = dict_or_empty(body)
    if isinstance(data.get("data"), dict):
        data = data["data"]
    position = dict_or_empty(data.get("position"))
    form = dict_or_empty(position.get("application_form"))
    statuses = {key: str(value).lower() for key, value in form.items() if isinstance(value, str)}
    return _Definition(statuses, dicts_in(data.get("questions") or position.get("questions")))


def _angular(root: Node, boxes: dict[str, list[Node]]) -> _Definition | None:
    """The Angular build's definition: the sections in the hidden `input#questions` (HTML-escaped
    JSON) and a `{part}_required` hidden input per standard part; a part without its flag is
    asked when its box is on the page."""
    carrier = root.find("input", id="questions")
    if carrier is None:
        return None
    try:
        sections = json.loads(carrier.get("value") or "[]")
    except ValueError as exc:
        raise AtsError("The Breezy apply page's question definition is not JSON.") from exc
    statuses: dict[str, str] = {}
    parts = [(part, name) for part, name, _, _ in _STANDARD]
    parts += [("eeoc", name) for name, _ in _EEO] + [("ccpa", _CCPA[0])]
    for part, name in parts:
        flag = root.find("input", id=f"{part}_required")
        if flag is not None and clean(flag.get("value")).lower() == "true":
            statuses[part] = "required"
        elif name in boxes:
            statuses.setdefault(part, "optional")
    return _Definition(statuses, dicts_in(sections))


def _section_questions(section: dict[str, Any], boxes: dict[str, list[Node]]) -> list[FormQuestion]:
    """One section's questions, named `section_<section id>_question_<n>` (n = the question's
    place in the section; a page naming them by their own ids is followed)."""
    section_id = text_or_none(section.get("_id")) or text_or_none(section.get("id"))
    if section_id is None:
        return []
    questions: list[FormQuestion] = []
    for index, item in enumerate(dicts_in(section.get("questions"))):
        own = clean(item.get("_id"))
        names = [f"section_{section_id}_question_{index}", f"section_{section_id}_question_{own}"]
        name = next((n for n in names if n in boxes), names[0])
        kind = clean(dict_or_empty(item.get("type")).get("id")).lower()
        qtype = _QUESTION_TYPES.get(kind, "text")
        options = [clean(dict_or_empty(o).get("text")) for o in list_or_empty(item.get("options"))]
        label = clean(item.get("text")) or _title_of(boxes.get(name, [None])[0]) or name
        questions.append(
            FormQuestion(
                key=name,
                label=label,
                type=qtype,
                required=item.get("required") is True,
                options=tuple(unique([o for o in options if o])),
            )
        )
    return questions


def _title_of(node: Node | None) -> str:
    """A box's title: the `h3` of its form group (Breezy puts no `<label>` on its boxes)."""
    scope = node.parent if node is not None else None
    while scope is not None and scope.tag != "form":
        heading = scope.find("h3")
        if heading is not None:
            return clean(heading.text().replace("*", " "))
        scope = scope.parent
    return ""


def _starred(node: Node) -> bool:
    scope = node.parent
    while scope is not None and scope.tag != "form":
        heading = scope.find("h3")
        if heading is not None:
            return "*" in heading.text() or heading.find(cls="required") is not None
        scope = scope.parent
    return False


def _options_of(nodes: list[Node]) -> tuple[str, ...]:
    """The choices a select or a radio group shows, by their words."""
    options: list[str] = []
    for node in nodes:
        if node.tag == "select":
            options += [o.text() for o in node.find_all("option") if o.get("value") != ""]
        else:
            label = node.ancestor("label")
            options.append((clean(label.text()) if label else "") or clean(node.get("value")))
    return tuple(unique([o for o in options if o]))


def _accepts(node: Node | None) -> tuple[str, ...]:
    accept = node.get("accept") if node is not None else None
    return tuple(unique([k.strip().lower() for k in (accept or "").split(",") if k.strip()]))


def _has_definition(root: Node) -> bool:
    return bool(root.find("input", id="questions") or root.find("script", id="portal-data"))
