"""Lever: the public Postings API (`api.lever.co/v0/postings`) and the hosted apply page."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

from jobpilot.jobs.ats._util import (
    SLUG_RE,
    UUID_RE,
    dict_of,
    dicts_in,
    form_error,
    json_body,
    list_of,
    number_or_none,
    parse_datetime,
    split_url,
    text_or_none,
    unique,
)
from jobpilot.jobs.ats.base import (
    AtsError,
    AtsHttp,
    AtsPosting,
    BoardRef,
    FormQuestion,
    QuestionType,
)

US_PAGE_HOST, EU_PAGE_HOST = "jobs.lever.co", "jobs.eu.lever.co"
US_API_HOST, EU_API_HOST = "api.lever.co", "api.eu.lever.co"
WORKPLACES = {"remote": "remote", "hybrid": "hybrid", "onsite": "onsite", "on-site": "onsite"}
# Types of the custom-question cards (`cards[<id>][baseTemplate]`).
CARD_TYPES: dict[str, QuestionType] = {
    "text": "text",
    "textarea": "textarea",
    "multiple-choice": "select",
    "dropdown": "select",
    "multiple-select": "multi_select",
}
INPUT_TYPES: dict[str, QuestionType] = {
    "text": "text",
    "email": "email",
    "tel": "phone",
    "url": "url",
    "number": "number",
    "date": "date",
    "file": "file",
    "checkbox": "boolean",
    "radio": "select",
}
STANDARD_TYPES: dict[str, QuestionType] = {"email": "email", "phone": "phone"}
# Page machinery posted with every application; never questions for the candidate.
MACHINERY = frozenset(
    {
        "accountId",
        "origin",
        "referer",
        "timezone",
        "source",
        "resumeStorageId",
        "h-captcha-response",
    }
)


class LeverAdapter:
    """Lever sites on `jobs.lever.co` and the EU instance `jobs.eu.lever.co`."""

    name = "lever"

    def __init__(self, page_size: int = 100, max_pages: int = 100) -> None:
        self.page_size = page_size
        self.max_pages = max_pages

    def detect(self, url: str) -> BoardRef | None:
        """The site (and posting) of a Lever board, posting or apply URL."""
        split = split_url(url)
        if split is None:
            return None
        parts = split.parts
        if split.host in (US_API_HOST, EU_API_HOST):
            if len(parts) < 3 or parts[:2] != ("v0", "postings"):
                return None
            parts = parts[2:]
            eu = split.host == EU_API_HOST
        elif split.host in (US_PAGE_HOST, EU_PAGE_HOST):
            eu = split.host == EU_PAGE_HOST
        else:
            return None
        if not parts or not SLUG_RE.match(parts[0]):
            return None
        posting = parts[1] if len(parts) > 1 and UUID_RE.match(parts[1]) else None
        return BoardRef(
            ats=self.name,
            tenant=parts[0],
            posting_id=posting.lower() if posting else None,
            host=EU_PAGE_HOST if eu else None,
        )

    async def list_postings(self, http: AtsHttp, board: BoardRef) -> list[AtsPosting]:
        """Every published posting, page by page (`skip`/`limit`) until a short page."""
        base = f"https://{_api_host(board)}/v0/postings/{_seg(board.tenant)}?mode=json"
        postings: list[AtsPosting] = []
        seen: set[str] = set()
        for page in range(self.max_pages):
            url = f"{base}&skip={page * self.page_size}&limit={self.page_size}"
            items = dicts_in(list_of(await http.json("GET", url), "posting list"))
            fresh = [p for p in self._page(board, items) if p.source_id not in seen]
            if not fresh:
                # An empty page, or a host that ignores `skip` and repeats itself.
                break
            seen.update(p.source_id for p in fresh)
            postings.extend(fresh)
            if len(items) < self.page_size:
                break
        return postings

    async def get_posting(self, http: AtsHttp, board: BoardRef, posting_id: str) -> AtsPosting:
        """One posting with its description, lists and closing text."""
        url = f"https://{_api_host(board)}/v0/postings/{_seg(board.tenant)}/{_seg(posting_id)}"
        return self._posting(board, dict_of(await http.json("GET", url), "posting"))

    def parse_payload(self, board: BoardRef, body: str) -> list[AtsPosting]:
        """Postings of a Postings API page (a JSON array) or one posting (a JSON object).

        The hosted apply page is an application form, not a posting body.
        """
        if body.lstrip().startswith("<"):
            if parse_apply_page(body):
                raise form_error()
            raise AtsError("The page is not a Lever postings body.")
        data = json_body(body)
        if isinstance(data, list):
            return self._page(board, dicts_in(data))
        return [self._posting(board, dict_of(data, "posting"))]

    async def get_application_form(
        self, http: AtsHttp, board: BoardRef, posting_id: str
    ) -> list[FormQuestion]:
        """The questions of the hosted apply page (the page is Lever's only form definition)."""
        host = EU_PAGE_HOST if board.host == EU_PAGE_HOST else US_PAGE_HOST
        url = f"https://{host}/{_seg(board.tenant)}/{_seg(posting_id)}/apply"
        page = await http.text("GET", url)
        questions = parse_apply_page(page)
        if not questions:
            raise AtsError("The Lever apply page had no application form.")
        return questions

    def _page(self, board: BoardRef, items: list[dict[str, Any]]) -> list[AtsPosting]:
        return [self._posting(board, item) for item in items]

    def _posting(self, board: BoardRef, item: dict[str, Any]) -> AtsPosting:
        source_id = text_or_none(item.get("id"))
        title = text_or_none(item.get("text"))
        if source_id is None or title is None:
            raise AtsError("The job board sent a posting without an id or title.")
        categories = item.get("categories")
        cats = categories if isinstance(categories, dict) else {}
        listed = cats.get("allLocations")
        names = [text_or_none(loc) or "" for loc in listed] if isinstance(listed, list) else []
        locations = unique([*names, text_or_none(cats.get("location")) or ""])
        workplace = text_or_none(item.get("workplaceType"))
        posting = AtsPosting(
            ats=self.name,
            tenant=board.tenant,
            source_id=source_id,
            title=title,
            url=text_or_none(item.get("hostedUrl")),
            apply_url=text_or_none(item.get("applyUrl")),
            department=text_or_none(cats.get("department")),
            employment_type=text_or_none(cats.get("commitment")),
            locations=locations,
            workplace=WORKPLACES.get(workplace.lower()) if workplace else None,
            description_html=_description(item),
            posted_at=parse_datetime(item.get("createdAt")),
            updated_at=parse_datetime(item.get("updatedAt")),
            salary_text=text_or_none(item.get("salaryDescriptionPlain")),
            raw=item,
        )
        salary = item.get("salaryRange")
        if isinstance(salary, dict):
            posting.salary_min = number_or_none(salary.get("min"))
            posting.salary_max = number_or_none(salary.get("max"))
            posting.salary_currency = text_or_none(salary.get("currency"))
            posting.salary_period = text_or_none(salary.get("interval"))
        return posting


def _description(item: dict[str, Any]) -> str | None:
    """`description` (opening + body), then each of `lists[]` as a heading and list, then
    `additional`: together they are the page's full text."""
    pieces = [text_or_none(item.get("description")) or ""]
    for block in dicts_in(item.get("lists")):
        heading = text_or_none(block.get("text"))
        content = text_or_none(block.get("content"))
        if heading:
            pieces.append(f"<h3>{html.escape(heading)}</h3>")
        if content:
            pieces.append(f"<ul>{content}</ul>")
    pieces.append(text_or_none(item.get("additional")) or "")
    joined = "".join(pieces)
    return joined or None


def _api_host(board: BoardRef) -> str:
    return EU_API_HOST if board.host == EU_PAGE_HOST else US_API_HOST


def _seg(value: str) -> str:
    return quote(value, safe="")


def parse_apply_page(page: str) -> list[FormQuestion]:
    """The questions of a Lever apply page: standard boxes, custom cards and selects."""
    parser = _ApplyPageParser()
    parser.feed(page)
    parser.close()
    return parser.questions()


VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


@dataclass
class _Box:
    """One named input of a question as the page declares it."""

    name: str
    type: QuestionType
    required: bool = False
    options: list[str] = field(default_factory=list)
    max_length: int | None = None
    file_types: tuple[str, ...] = ()


@dataclass
class _Question:
    """One `li.application-question` while it is being read."""

    label: list[str] = field(default_factory=list)
    required_mark: bool = False
    boxes: dict[str, _Box] = field(default_factory=dict)


class _ApplyPageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._stack: list[tuple[str, str | None]] = []
        self._current: _Question | None = None
        self._found: list[_Question] = []
        self._cards: list[FormQuestion] = []
        self._select: _Box | None = None
        self._option: list[str] | None = None

    def _inside(self, role: str) -> bool:
        return any(r == role for _, r in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        classes = attr.get("class", "").split()
        role: str | None = None
        if tag == "li" and "application-question" in classes and self._current is None:
            self._current = _Question()
            role = "question"
        elif "application-label" in classes:
            role = "label"
        elif tag == "span" and "required" in classes and self._inside("label"):
            role = "required"
            if self._current is not None:
                self._current.required_mark = True
        if tag == "input":
            self._input(attr)
        elif tag == "textarea":
            self._add_box(attr, "textarea")
        elif tag == "select":
            self._select = self._add_box(attr, "multi_select" if "multiple" in attr else "select")
        elif tag == "option" and self._select is not None:
            self._option = [] if attr.get("value", "x") else None
        if tag not in VOID:
            self._stack.append((tag, role))

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select is not None:
            text = " ".join("".join(self._option).split())
            if text:
                self._select.options.append(text)
            self._option = None
        if tag == "select":
            self._select = None
        if tag in VOID or not any(t == tag for t, _ in self._stack):
            return
        while self._stack:
            closed_tag, role = self._stack.pop()
            if role == "question" and self._current is not None:
                self._found.append(self._current)
                self._current = None
            if closed_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option.append(data)
        elif self._current is not None and self._inside("label") and not self._inside("required"):
            self._current.label.append(data)

    def _input(self, attr: dict[str, str]) -> None:
        name = attr.get("name", "")
        kind = attr.get("type", "text").lower()
        if kind == "hidden":
            if name.endswith("[baseTemplate]"):
                self._cards.extend(_card_questions(name, attr.get("value", "")))
            return
        if kind in ("submit", "button", "reset", "image"):
            return
        declared = INPUT_TYPES.get(kind, "text")
        if declared == "text":
            # Lever's standard boxes are plain text inputs whose name says what they hold.
            declared = "url" if name.startswith("urls[") else STANDARD_TYPES.get(name, "text")
        box = self._add_box(attr, declared)
        if box is None:
            return
        if kind in ("radio", "checkbox") and (value := attr.get("value")):
            box.options.append(value)
            if kind == "checkbox" and len(box.options) > 1:
                box.type = "multi_select"
        if kind == "file" and (accept := attr.get("accept")):
            box.file_types = tuple(t.strip() for t in accept.split(",") if t.strip())

    def _add_box(self, attr: dict[str, str], kind: QuestionType) -> _Box | None:
        name = attr.get("name", "")
        if self._current is None or not name or name in MACHINERY or name.startswith("cards["):
            return None
        box = self._current.boxes.get(name)
        if box is None:
            box = self._current.boxes[name] = _Box(name=name, type=kind)
        box.required = box.required or "required" in attr
        if (limit := attr.get("maxlength", "")).isdigit():
            box.max_length = int(limit)
        return box

    def questions(self) -> list[FormQuestion]:
        out: list[FormQuestion] = []
        for question in self._found:
            label = " ".join("".join(question.label).split()).rstrip("✱* ").strip()
            for box in question.boxes.values():
                options = tuple(box.options)
                kind = box.type
                if kind == "boolean" and len(options) > 1:
                    kind = "multi_select"
                out.append(
                    FormQuestion(
                        key=box.name,
                        label=label,
                        type=kind,
                        required=box.required or question.required_mark,
                        options=options if kind != "boolean" else (),
                        max_length=box.max_length,
                        file_types=box.file_types,
                    )
                )
        return out + self._cards


def _card_questions(name: str, value: str) -> list[FormQuestion]:
    """The fields of a custom-question card, keyed like the boxes that answer them."""
    prefix = name.removesuffix("[baseTemplate]")
    try:
        card = json.loads(html.unescape(value))
    except ValueError:
        return []
    if not isinstance(card, dict):
        return []
    out = []
    for index, item in enumerate(dicts_in(card.get("fields"))):
        options = tuple(
            text
            for option in dicts_in(item.get("options"))
            if (text := text_or_none(option.get("text")))
        )
        out.append(
            FormQuestion(
                key=f"{prefix}[field{index}]",
                label=text_or_none(item.get("text")) or "",
                type=CARD_TYPES.get(str(item.get("type")), "text"),
                required=item.get("required") is True,
                options=options,
            )
        )
    return out
