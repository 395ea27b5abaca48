"""JazzHR (`{co}.applytojob.com`): the HTML job list, JSON-LD details, the server-rendered form.

The application form parser is built on a captured, anonymised JazzHR form
(`fixtures/ats/jazzhr/apply_form_tenant_c_anonymised.html`). The job list (`/apply/jobs`, rows
`tr[id^=row_job_]`) follows the documented shape (kalil0321/ats-scrapers `jazzhr.py`); no
captured list page exists yet.
"""

from __future__ import annotations

import re

from jobpilot.jobs.ats._html import Node, has_application_form, parse_html, self_urls
from jobpilot.jobs.ats._util import clean, clean_or_none, form_error, host_of, path_parts, unique
from jobpilot.jobs.ats.base import (
    AtsError,
    AtsHttp,
    AtsPosting,
    BoardRef,
    FormQuestion,
    QuestionType,
)
from jobpilot.jobs.ats.jsonld import extract_job_postings, posting_for_adapter

_HOST = re.compile(r"^(?P<co>[a-z0-9][a-z0-9-]*)\.applytojob\.com$")
_NOT_TENANTS = {"www", "app", "api"}
_ID = re.compile(r"^[A-Za-z0-9]{6,20}$")
_DETAIL_HREF = re.compile(r"/apply/jobs/details/(?P<id>[A-Za-z0-9_-]+)")
_FILE_EXT = re.compile(r"(?:^|[\s,(])\.([A-Za-z0-9]{2,5})(?=[\s,);]|$)")
_INPUT_TYPES: dict[str, QuestionType] = {
    "text": "text",
    "email": "email",
    "tel": "phone",
    "url": "url",
    "number": "number",
    "date": "date",
    "file": "file",
    "search": "text",
}
_SKIPPED_INPUTS = {"hidden", "submit", "button", "image", "reset"}
# The paste-resume box has no label of its own; it is the alternative to the resume file.
_KNOWN_LABELS = {"resumator-resumetext-value": "Resume (pasted text)"}


class JazzHRAdapter:
    """JazzHR's public job board and application form."""

    name = "jazzhr"

    def detect(self, url: str) -> BoardRef | None:
        """`{co}.applytojob.com/apply[/jobs][/{id}/{slug}]` and `/apply/jobs/details/{id}`."""
        match = _HOST.match(host_of(url))
        parts = path_parts(url)
        if not match or match["co"] in _NOT_TENANTS or not parts or parts[0] != "apply":
            return None
        board = BoardRef(self.name, match["co"])
        rest = parts[1:]
        if not rest or rest == ["jobs"]:
            return board
        if rest[:2] == ["jobs", "details"] and len(rest) >= 3 and _ID.match(rest[2]):
            return BoardRef(self.name, board.tenant, rest[2])
        if rest[0] != "jobs" and _ID.match(rest[0]) and len(rest) <= 2:
            return BoardRef(self.name, board.tenant, rest[0])
        return None

    async def list_postings(self, http: AtsHttp, board: BoardRef) -> list[AtsPosting]:
        """Every row of `/apply/jobs` (one page; rows appear twice, desktop and mobile)."""
        page = await http.text("GET", f"{_base(board)}/apply/jobs")
        return _list_page(board, page, parse_html(page))

    async def get_posting(self, http: AtsHttp, board: BoardRef, posting_id: str) -> AtsPosting:
        """The detail page's JSON-LD JobPosting (older themes: `div.job_description`)."""
        url = f"{_base(board)}/apply/jobs/details/{posting_id}"
        page = await http.text("GET", url, follow_redirects=True)
        posting = _detail_page(board, page, parse_html(page), posting_id)
        if posting is None:
            raise AtsError("The JazzHR posting page had no description.")
        return posting

    def parse_payload(self, board: BoardRef, body: str) -> list[AtsPosting]:
        """Postings of the `/apply/jobs` list (`tr[id^=row_job_]` rows) or of one posting page
        (JSON-LD JobPosting or `div.job_description`), named by `board.posting_id` or by the
        page itself. A page holding only the application form is refused as a form."""
        root = parse_html(body)
        rows = _row_nodes(root)
        described = bool(extract_job_postings(body, _base(board)))
        if rows and not described:
            return _list_page(board, body, root)
        posting_id = board.posting_id or _posting_id_in(root, body)
        posting = _detail_page(board, body, root, posting_id) if posting_id else None
        if posting is not None:
            return [posting]
        if described:
            raise AtsError("The JazzHR posting page names no posting id.")
        if has_application_form(root):
            raise form_error()
        return _list_page(board, body, root)

    async def get_application_form(
        self, http: AtsHttp, board: BoardRef, posting_id: str
    ) -> list[FormQuestion] | None:
        """The questions of `form#form_submit_new_resume` on the posting page."""
        url = f"https://{board.tenant}.applytojob.com/apply/{posting_id}"
        page = await http.text("GET", url, follow_redirects=True)
        return parse_application_form(page)


def _base(board: BoardRef) -> str:
    return f"https://{board.tenant}.applytojob.com"


def _row_nodes(root: Node) -> list[Node]:
    return root.find_all("tr", where=lambda n: (n.get("id") or "").startswith("row_job_"))


def _list_page(board: BoardRef, page: str, root: Node) -> list[AtsPosting]:
    """The job rows of an `/apply/jobs` page, one per job id."""
    rows = _row_nodes(root)
    if not rows and "resumator" not in page and "applytojob" not in page:
        raise AtsError("The JazzHR job list had an unexpected shape.")
    base = _base(board)
    postings: dict[str, AtsPosting] = {}
    for row in rows:
        link = row.find("a", cls="job_title_link")
        found = _DETAIL_HREF.search(link.get("href") or "") if link else None
        if link is None or found is None or found["id"] in postings:
            continue
        department = row.find("span", cls="resumator_department")
        cells = row.find_all("td")
        location = cells[-1].text() if len(cells) >= 2 else ""
        title = clean("".join(c if isinstance(c, str) else c.text() for c in link.children))
        url = f"{base}/apply/jobs/details/{found['id']}"
        postings[found["id"]] = AtsPosting(
            ats="jazzhr",
            tenant=board.tenant,
            source_id=found["id"],
            title=title,
            url=url,
            apply_url=f"{base}/apply/{found['id']}",
            department=clean_or_none(department.text()) if department else None,
            locations=[location] if location else [],
            raw={"id": found["id"], "href": link.get("href")},
        )
    return list(postings.values())


def _detail_page(board: BoardRef, page: str, root: Node, posting_id: str) -> AtsPosting | None:
    """A posting page's JSON-LD JobPosting, else its `div.job_description`; None if neither."""
    base = _base(board)
    url = f"{base}/apply/jobs/details/{posting_id}"
    posting = posting_for_adapter(
        page, url, ats="jazzhr", tenant=board.tenant, source_id=posting_id
    )
    if posting is not None:
        posting.apply_url = f"{base}/apply/{posting_id}"
        return posting
    body = root.find("div", cls="job_description")
    heading = root.find("h1") or root.find("title")
    if body is None or heading is None or not heading.text():
        return None
    return AtsPosting(
        ats="jazzhr",
        tenant=board.tenant,
        source_id=posting_id,
        title=heading.text(),
        url=url,
        apply_url=f"{base}/apply/{posting_id}",
        description_html=body.inner_html().strip(),
    )


def _posting_id_in(root: Node, page: str) -> str | None:
    """The posting a page is about: its hidden `resumator-job-value`, else its own URL."""
    field = root.find("input", where=lambda n: n.get("name") == "resumator-job-value")
    if field is not None and _ID.match(field.get("value") or ""):
        return field.get("value")
    urls = self_urls(root) + [p.url or "" for p in extract_job_postings(page, "")]
    for url in urls:
        parts = path_parts(url)
        if parts[:3] == ["apply", "jobs", "details"] and len(parts) > 3 and _ID.match(parts[3]):
            return parts[3]
        if len(parts) >= 2 and parts[0] == "apply" and parts[1] != "jobs" and _ID.match(parts[1]):
            return parts[1]
    return None


def parse_application_form(page: str) -> list[FormQuestion]:
    """The questions of a JazzHR application form (labels, required, types, options, files)."""
    root = parse_html(page)
    form = root.find("form", id="form_submit_new_resume") or root.find("form")
    if form is None:
        raise AtsError("The JazzHR posting page has no application form.")
    labels = {label.get("for"): label for label in form.find_all("label") if label.get("for")}
    questions: list[FormQuestion] = []
    groups: dict[str, list[Node]] = {}
    for node in form.iter():
        name = node.get("name")
        if node.tag not in {"input", "select", "textarea"} or not name:
            continue
        kind = (node.get("type") or "text").lower() if node.tag == "input" else node.tag
        if kind in _SKIPPED_INPUTS:
            continue
        if kind in {"radio", "checkbox"}:
            if name not in groups:
                groups[name] = []
                questions.append(FormQuestion(key=name, label="", type="boolean"))
            groups[name].append(node)
            continue
        question = _field_question(node, name, kind, labels)
        if question is not None:
            questions.append(question)
    return [
        _choice_question(groups[q.key], q.key, labels) if q.key in groups else q for q in questions
    ]


def _label_text(label: Node) -> str:
    return clean(label.text().replace("*", " "))


def _group_label(node: Node) -> Node | None:
    scope = node.parent
    while scope is not None and "form-group" not in scope.classes:
        scope = scope.parent
    if scope is None:
        return None
    return scope.find("label", cls="control-label") or scope.find("label")


def _is_required(node: Node, label: Node | None) -> bool:
    if "required" in node.attrs or node.get("aria-required") == "true":
        return True
    return label is not None and (
        label.find("i", cls="asterisk") is not None or "*" in label.text()
    )


def _field_question(
    node: Node, name: str, kind: str, labels: dict[str | None, Node]
) -> FormQuestion | None:
    own = labels.get(node.get("id")) if node.get("id") else None
    group = own or _group_label(node)
    label = (
        (_label_text(own) if own else "")
        or clean(node.get("placeholder"))
        or clean(node.get("aria-label"))
        or _KNOWN_LABELS.get(name, "")
    )
    if not label:
        return None
    options: tuple[str, ...] = ()
    qtype: QuestionType
    if node.tag == "select":
        qtype = "multi_select" if "multiple" in node.attrs else "select"
        options = tuple(
            unique([opt.text() for opt in node.find_all("option") if opt.get("value") != ""])
        )
    elif node.tag == "textarea":
        qtype = "textarea"
    elif "datepicker" in " ".join(node.classes).lower():
        qtype = "date"
    else:
        qtype = _INPUT_TYPES.get(kind, "text")
    max_length = node.get("maxlength") or ""
    return FormQuestion(
        key=name,
        label=label,
        type=qtype,
        # The paste box is the alternative to the required file, never required itself.
        required=_is_required(node, group) and name not in _KNOWN_LABELS,
        options=options,
        max_length=int(max_length) if max_length.isdigit() else None,
        file_types=_file_types(node) if qtype == "file" else (),
    )


def _file_types(node: Node) -> tuple[str, ...]:
    accept = node.get("accept")
    if accept:
        kinds = [kind.strip().lower() for kind in accept.split(",")]
        return tuple(unique([k if "/" in k or k.startswith(".") else f".{k}" for k in kinds]))
    scope = node.parent
    while scope is not None and scope.tag != "form":
        found = _FILE_EXT.findall(scope.text())
        if found:
            return tuple(unique([f".{ext.lower()}" for ext in found]))
        scope = scope.parent
    return ()


def _choice_question(nodes: list[Node], name: str, labels: dict[str | None, Node]) -> FormQuestion:
    options = []
    for node in nodes:
        own = labels.get(node.get("id")) if node.get("id") else node.ancestor("label")
        options.append((_label_text(own) if own else "") or clean(node.get("value")))
    group = _group_label(nodes[0])
    legend = nodes[0].ancestor("fieldset")
    legend_node = legend.find("legend") if legend else None
    label = _label_text(group) if group else (legend_node.text() if legend_node else name)
    kind = (nodes[0].get("type") or "").lower()
    qtype: QuestionType
    if kind == "radio":
        qtype = "select"
    elif len(nodes) == 1:
        qtype = "boolean"
    else:
        qtype = "multi_select"
    return FormQuestion(
        key=name,
        label=label,
        type=qtype,
        required=any(_is_required(node, group) for node in nodes),
        options=tuple(unique(options)) if qtype != "boolean" else (),
    )
