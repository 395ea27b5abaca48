"""Teamtailor: the public `jobs.json` JSON Feed of a career site, and the application form.

The form has no JSON definition: the server-rendered Rails form of
`/jobs/{id}-{slug}/applications/new` (asked for as its Turbo frame, `Turbo-Frame:
application_form`, which answers with the whole form) is the definition (NOTES.md §18, measured
by cezkid `teamtailor.md`): `candidate[...]` boxes with real `<label for>`s, the resume in a
Dropzone (a hidden file input without a name), questions in `div.question[data-question-
mandatory]` answered through `candidate[answers_attributes][N][boolean|text|number|choice|
range]`, and the required `candidate[consent_given]` box.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from jobpilot.jobs.ats._html import Node, parse_html
from jobpilot.jobs.ats._util import (
    clean,
    dict_of,
    dict_or_empty,
    first_per_id,
    json_body,
    list_of,
    list_or_empty,
    parse_datetime,
    scalar_text,
    split_url,
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

MAX_PAGES = 50

_HOST = re.compile(r"^(?P<co>[a-z0-9][a-z0-9-]*)\.(?:na\.)?teamtailor\.com$")
_NOT_TENANTS = {"www", "app", "api", "support", "docs", "status", "partner", "na"}
_JOB = re.compile(r"^(\d+)(?:-[\w%.-]*)?$")
_JOB_IN_URL = re.compile(r"/jobs/(\d+)(?:-|/|$)")


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value)) if value is not None else None
    except ValueError:
        return None


class TeamtailorAdapter:
    """Teamtailor career sites (`{company}[.na].teamtailor.com/jobs/{id}-{slug}`)."""

    name = "teamtailor"

    def detect(self, url: str) -> BoardRef | None:
        """The career site (and job) of a Teamtailor URL."""
        split = split_url(url)
        if split is None:
            return None
        host, segments = split.host, list(split.parts)
        match = _HOST.match(host)
        if match is None or match["co"] in _NOT_TENANTS:
            return None
        posting_id = None
        if segments:
            if segments[0].lower() not in ("jobs", "jobs.json"):
                return None
            if len(segments) > 1:
                job = _JOB.match(segments[1])
                if job is None:
                    return None
                posting_id = job[1]
        return BoardRef(self.name, match["co"], posting_id, host=host)

    def _host(self, board: BoardRef) -> str:
        return board.host or f"{board.tenant}.teamtailor.com"

    async def list_postings(self, http: AtsHttp, board: BoardRef) -> list[AtsPosting]:
        """Every job of the feed, following `next_url` on the same host."""
        host = self._host(board)
        url: str | None = f"https://{host}/jobs.json"
        postings: dict[str, AtsPosting] = {}
        for _ in range(MAX_PAGES):
            if url is None:
                break
            feed = dict_of(await http.json("GET", url), "job feed", "items")
            for posting in self._feed_page(board, feed):
                postings.setdefault(posting.source_id, posting)
            next_url = scalar_text(feed.get("next_url"))
            url = next_url if next_url and urlsplit(next_url).hostname == host else None
        return list(postings.values())

    def parse_payload(self, board: BoardRef, body: str) -> list[AtsPosting]:
        """Postings of one page of the `jobs.json` JSON Feed (`{"items": [...]}`); single jobs
        are read from the feed too, so it is the only body this adapter receives."""
        return self._feed_page(board, dict_of(json_body(body), "job feed", "items"))

    def _feed_page(self, board: BoardRef, feed: dict[str, Any]) -> list[AtsPosting]:
        company = scalar_text(feed.get("title"))
        return first_per_id(
            self._posting(board, dict_of(item, "job", "title"), company)
            for item in list_of(feed.get("items"), "job feed")
        )

    def _posting(self, board: BoardRef, item: dict[str, Any], company: str | None) -> AtsPosting:
        job = dict_or_empty(item.get("_jobposting"))
        page_url = scalar_text(item.get("url"))
        source_id = scalar_text(dict_or_empty(job.get("identifier")).get("value"))
        if source_id is None and page_url and (found := _JOB_IN_URL.search(page_url)):
            source_id = found[1]
        title = scalar_text(item.get("title")) or scalar_text(job.get("title"))
        if source_id is None or title is None:
            raise AtsError("A Teamtailor job lacks its id or title.")
        locations: list[str] = []
        for place in list_or_empty(job.get("jobLocation")):
            address = dict_or_empty(dict_or_empty(place).get("address"))
            parts = [
                scalar_text(address.get("addressLocality")),
                scalar_text(address.get("addressCountry")),
            ]
            if (joined := ", ".join(part for part in parts if part)) and joined not in locations:
                locations.append(joined)
        employment = job.get("employmentType")
        if isinstance(employment, list):
            employment = ", ".join(value for value in employment if isinstance(value, str))
        salary = dict_or_empty(job.get("baseSalary"))
        amount = dict_or_empty(salary.get("value"))
        remote = scalar_text(job.get("jobLocationType")) == "TELECOMMUTE"
        return AtsPosting(
            ats=self.name,
            tenant=board.tenant,
            source_id=source_id,
            title=title,
            url=page_url,
            apply_url=f"{page_url.rstrip('/')}/applications/new" if page_url else None,
            company_name=scalar_text(dict_or_empty(job.get("hiringOrganization")).get("name"))
            or company,
            employment_type=scalar_text(employment),
            locations=locations,
            workplace="remote" if remote else None,
            description_html=scalar_text(job.get("description"))
            or scalar_text(item.get("content_html")),
            posted_at=parse_datetime(item.get("date_published") or job.get("datePosted")),
            updated_at=parse_datetime(item.get("date_modified")),
            salary_min=_number(amount.get("minValue")),
            salary_max=_number(amount.get("maxValue") or amount.get("value")),
            salary_currency=scalar_text(salary.get("currency")),
            salary_period=scalar_text(amount.get("unitText")),
            raw=item,
        )

    async def get_posting(self, http: AtsHttp, board: BoardRef, posting_id: str) -> AtsPosting:
        """One job, read from the feed (which carries each job in full)."""
        for posting in await self.list_postings(http, board):
            if posting.source_id == posting_id.strip():
                return posting
        raise BoardNotFound

    async def get_application_form(
        self, http: AtsHttp, board: BoardRef, posting_id: str
    ) -> list[FormQuestion] | None:
        """The questions of the job's form page. A bare id is asked as `/jobs/{id}` (Teamtailor
        finds a job by the number before the slug and redirects to its current slug); when that
        is not found, the feed's URL of the job names the page."""
        host = self._host(board)
        wanted = posting_id.strip().strip("/")
        try:
            return parse_application_form(
                await self._form_page(http, f"https://{host}/jobs/{wanted}")
            )
        except BoardNotFound:
            if "-" in wanted:
                raise
        number = wanted.split("-", 1)[0]
        for posting in await self.list_postings(http, board):
            if posting.source_id == number and posting.url:
                if urlsplit(posting.url).hostname != host:
                    break
                return parse_application_form(await self._form_page(http, posting.url))
        raise BoardNotFound

    async def _form_page(self, http: AtsHttp, job_url: str) -> str:
        url = f"{job_url.rstrip('/')}/applications/new"
        headers = {"Turbo-Frame": "application_form", "Accept": "text/html"}
        return await http.text("GET", url, headers=headers, follow_redirects=True)


# -- the application form -------------------------------------------------------------------

_INPUT_TYPES: dict[str, QuestionType] = {
    "text": "text",
    "email": "email",
    "tel": "phone",
    "url": "url",
    "number": "number",
    "range": "number",
    "date": "date",
    "file": "file",
    "search": "text",
}
_NOT_BOXES = frozenset({"hidden", "submit", "button", "image", "reset"})
# Rails' and Teamtailor's own machinery, never a question.
_MACHINERY = re.compile(r"^(?:authenticity_token|utf8|pow\[|_method$)")
_CLOSED = re.compile(r"no longer (?:available|accepting applications|open)", re.I)
_REMOTE_URL = re.compile(r"^candidate\[(\w+)_remote_url\]$")
_STAR = re.compile(r"\s*\*\s*")


def parse_application_form(page: str) -> list[FormQuestion]:
    """The questions of a Teamtailor application form (`form#new_candidate`): its named boxes
    (radio and tick-box groups as one), the Dropzone resume under the key the page sends it as
    (`data-param`, else its name or id), labels from `<label for>` / the group's legend, and
    required from the box, its label's star or its question's `data-question-mandatory`."""
    root = parse_html(page)
    form = root.find("form", id="new_candidate") or root.find(
        "form",
        where=lambda n: any((b.get("name") or "").startswith("candidate[") for b in n.iter()),
    )
    if form is None:
        if _CLOSED.search(root.text()):
            raise BoardNotFound
        raise AtsError("The Teamtailor page has no application form.")
    labels = {label.get("for"): label for label in form.find_all("label") if label.get("for")}
    questions: list[FormQuestion] = []
    groups: dict[str, list[Node]] = {}
    for node in form.iter():
        if node.tag not in {"input", "select", "textarea"} or _in_template(node):
            continue
        kind = (node.get("type") or "text").lower() if node.tag == "input" else node.tag
        name = node.get("name")
        if kind == "file":
            questions.append(_file_question(node, labels))
            continue
        if kind == "hidden" and name and (upload := _REMOTE_URL.match(name)):
            # Dropzone adds its file input in the browser: the upload's hidden URL box is
            # what the served form holds of it.
            questions.append(_upload_question(node, f"candidate[{upload[1]}]", labels))
            continue
        if not name or kind in _NOT_BOXES or _MACHINERY.match(name):
            continue
        if kind in {"radio", "checkbox"}:
            if name not in groups:
                groups[name] = []
                questions.append(FormQuestion(key=name, label="", type="boolean"))
            groups[name].append(node)
            continue
        questions.append(_box_question(node, name, kind, labels))
    seen: set[str] = set()
    found: list[FormQuestion] = []
    for question in questions:
        if question.key not in seen:
            seen.add(question.key)
            found.append(
                _group_question(groups[question.key], question.key, labels)
                if question.key in groups
                else question
            )
    return found


def _in_template(node: Node) -> bool:
    return node.ancestor("template") is not None


def _label_text(label: Node | None) -> str:
    return clean(_STAR.sub(" ", label.text())) if label is not None else ""


def _question_div(node: Node) -> Node | None:
    scope = node.parent
    while scope is not None and scope.tag != "form":
        if "question" in scope.classes or scope.get("data-question-mandatory") is not None:
            return scope
        scope = scope.parent
    return None


def _required(node: Node, label: Node | None) -> bool:
    if "required" in node.attrs or node.get("aria-required") == "true":
        return True
    question = _question_div(node)
    if question is not None and question.get("data-question-mandatory") is not None:
        return question.get("data-question-mandatory") == "true"
    return label is not None and "*" in label.text()


def _own_label(node: Node, labels: dict[str | None, Node]) -> Node | None:
    box = node.get("id")
    return (labels.get(box) if box else None) or node.ancestor("label")


def _question_label(node: Node) -> Node | None:
    """The title of the question a box answers: its fieldset's legend, else the label or legend
    of its `div.question`."""
    fieldset = node.ancestor("fieldset")
    legend = fieldset.find("legend") if fieldset is not None else None
    if legend is not None:
        return legend
    question = _question_div(node)
    if question is None:
        return None
    return question.find("legend") or question.find("label")


def _box_question(node: Node, name: str, kind: str, labels: dict[str | None, Node]) -> FormQuestion:
    label = _own_label(node, labels) or _question_label(node)
    qtype: QuestionType
    options: tuple[str, ...] = ()
    if node.tag == "select":
        qtype = "multi_select" if "multiple" in node.attrs else "select"
        options = tuple(
            unique([o.text() for o in node.find_all("option") if o.get("value") not in ("", None)])
        )
    elif node.tag == "textarea":
        qtype = "textarea"
    else:
        qtype = _INPUT_TYPES.get(kind, "text")
    max_length = node.get("maxlength") or ""
    return FormQuestion(
        key=name,
        label=_label_text(label)
        or clean(node.get("placeholder"))
        or clean(node.get("aria-label"))
        or name,
        type=qtype,
        required=_required(node, label),
        options=options,
        max_length=int(max_length) if max_length.isdigit() else None,
    )


def _file_question(node: Node, labels: dict[str | None, Node]) -> FormQuestion:
    # Dropzone's input has no name: the page posts the file under its `data-param`.
    key = node.get("data-param") or node.get("name") or node.get("id") or "file"
    label = _own_label(node, labels) or _question_label(node)
    accept = node.get("accept") or ""
    return FormQuestion(
        key=key,
        label=_label_text(label) or key,
        type="file",
        required=_required(node, label),
        file_types=tuple(unique([k.strip().lower() for k in accept.split(",") if k.strip()])),
    )


def _upload_question(node: Node, key: str, labels: dict[str | None, Node]) -> FormQuestion:
    box = node.get("id") or ""
    label = labels.get(box.removesuffix("_remote_url")) or labels.get(box)
    scope = node.parent
    while label is None and scope is not None and scope.tag != "form":
        label = scope.find("label")
        scope = scope.parent
    title = _label_text(label) or key
    # Teamtailor asks for the resume on every form measured; other files as their label says.
    required = _required(node, label) or (label is None and key == "candidate[resume]")
    return FormQuestion(key=key, label=title, type="file", required=required)


def _group_question(nodes: list[Node], name: str, labels: dict[str | None, Node]) -> FormQuestion:
    """A radio group (one choice, by its words) or tick boxes (one box: yes/no)."""
    options = [_label_text(_own_label(node, labels)) or clean(node.get("value")) for node in nodes]
    title = _question_label(nodes[0])
    kind = (nodes[0].get("type") or "").lower()
    qtype: QuestionType
    if kind == "radio":
        qtype = "select"
    elif len(nodes) == 1:
        qtype = "boolean"
    else:
        qtype = "multi_select"
    own = _own_label(nodes[0], labels) if qtype == "boolean" else None
    label = _label_text(title) or _label_text(own) or name
    return FormQuestion(
        key=name,
        label=label,
        type=qtype,
        required=any(_required(node, title or own) for node in nodes),
        options=tuple(unique(options)) if qtype != "boolean" else (),
    )
