"""Resume templates and exports: sandboxed Jinja2 HTML+CSS, PDF, DOCX, JSON Resume and text.

A template is an HTML document (CSS inline in a `<style>`) rendered by Jinja2 in an immutable
sandbox. It sees only JSON data:

- `resume`: the JSON Resume document with every known field present (`None` when missing);
  `resume.basics.location` is always a mapping;
- `basics`: `resume.basics`;
- `sections`: the non-empty sections in `SECTIONS` order, each `{key, title, items}`;
- `headings`: the heading of every section key (and of `summary`);
- `paper`: `"A4"` or `"Letter"`, for `@page { size: ... }`.

Filters on top of Jinja's: `month_year`, `date_range(start, end)`, `display_url`, `safe_url`,
`location_line`, `profile_text`. Templates cannot include, extend or import other
templates, touch attributes starting with `_`, or fetch anything: WeasyPrint gets no base URL
and a URL fetcher that refuses every URL.

The PDF is printed from the same HTML as the preview. DOCX and plain text do not use the HTML
template; they are built from one outline with the same content and section order.
"""

from __future__ import annotations

import contextvars
import html.parser
import io
import json
import logging
import re
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Literal, NoReturn

import jinja2
import jinja2.nodes
import jinja2.sandbox
import markupsafe
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from jinja2.exceptions import SecurityError
from jinja2.visitor import NodeTransformer
from PIL import ImageFile

from jobpilot.kit.errors import ValidationFailed
from jobpilot.resumes.schema import SECTIONS, Location, Resume

with warnings.catch_warnings():
    # Without libharfbuzz-subset WeasyPrint subsets fonts with fontTools and says so on import.
    warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
    from weasyprint import HTML  # type: ignore[import-untyped]
    from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

# Importing WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process. Resume
# templates load no images at all, and avatar checks must keep treating a truncated image as
# broken, so it is turned off again.
ImageFile.LOAD_TRUNCATED_IMAGES = False

Paper = Literal["A4", "Letter"]

MAX_TEMPLATE_BYTES = 200 * 1024
MAX_OUTPUT_CHARS = 10_000_000
MAX_STRING_CHARS = 2_000_000
MAX_RANGE = 1_000
RENDER_SECONDS = 5.0
MAX_SAMPLE_PAGES = 6
_PAPER_POINTS = frozenset({(595, 842), (612, 792)})

HEADINGS: dict[str, str] = {
    "summary": "Summary",
    "work": "Experience",
    "education": "Education",
    "skills": "Skills",
    "projects": "Projects",
    "volunteer": "Volunteering",
    "awards": "Awards",
    "certificates": "Certifications",
    "publications": "Publications",
    "languages": "Languages",
    "interests": "Interests",
    "references": "References",
}

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DASH = "\u2013"
_EM_DASH = "\u2014"
_DOT = "\u00b7"
_PRESENT = "Present"
_LINK_SCHEMES = ("http://", "https://", "mailto:", "tel:")


class TemplateError(ValidationFailed):
    """A resume template does not compile, render or lay out; `details` names where."""

    code = "template_error"
    default_message = "The resume template is not valid."

    def __init__(self, message: str, *, stage: str, line: int | None = None) -> None:
        where = f" (line {line})" if line is not None else ""
        super().__init__(f"{message}{where}", details={"stage": stage, "line": line})
        self.stage = stage
        self.line = line


@dataclass(frozen=True)
class TemplateSource:
    """A resume template: its key, what users see of it, its HTML and its version."""

    key: str
    name: str
    description: str
    html: str
    version: int = 1
    layout: str = "single-column"


# -- filters ------------------------------------------------------------------------------------


def month_year(value: str | None) -> str:
    """An ISO date as "Mar 2020" ("2019" stays "2019"); empty when missing."""
    if not value:
        return ""
    parts = str(value).split("-")
    if len(parts) >= 2 and parts[1].isdigit() and 1 <= int(parts[1]) <= 12:
        return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return parts[0]


def date_range(start: str | None, end: str | None) -> str:
    """A period: "Jan 2020", an en dash, then the end or "Present"; one date if that is all."""
    first, last = month_year(start), month_year(end)
    if first and last:
        return first if first == last else f"{first} {_DASH} {last}"
    if first:
        return f"{first} {_DASH} {_PRESENT}"
    return last


def display_url(value: str | None) -> str:
    """A URL as people write it: no scheme, no "www.", no trailing slash."""
    if not value:
        return ""
    text = re.sub(r"^(https?://|mailto:|tel:)", "", str(value).strip(), flags=re.IGNORECASE)
    text = re.sub(r"^www\.", "", text, flags=re.IGNORECASE)
    return text.rstrip("/")


def safe_url(value: str | None) -> str:
    """A link target that is safe to put in `href`: http(s), mailto or tel; else empty."""
    if not value:
        return ""
    text = str(value).strip()
    if text.lower().startswith(_LINK_SCHEMES):
        return text
    if re.match(r"^[\w-]+(\.[\w-]+)+(/\S*)?$", text):
        return f"https://{text}"
    return ""


def location_line(location: Mapping[str, Any] | Location | None) -> str:
    """An address on one line: "1 Main St, EC1A 1BB London, England, GB"."""
    if location is None:
        return ""
    loc = location.model_dump() if isinstance(location, Location) else location
    city = " ".join(str(loc[k]) for k in ("postalCode", "city") if loc.get(k))
    parts = [loc.get("address"), city, loc.get("region"), loc.get("countryCode")]
    return ", ".join(str(p) for p in parts if p)


def profile_text(profile: Mapping[str, Any]) -> str:
    """A profile as "GitHub: github.com/jane" (the username is shown if the URL lacks it)."""
    network, username, url = profile.get("network"), profile.get("username"), profile.get("url")
    shown = display_url(url)
    if username and str(username).lower() not in shown.lower():
        shown = f"{username} ({shown})" if shown else str(username)
    return f"{network}: {shown}" if network and shown else str(network or shown)


# -- sandbox ------------------------------------------------------------------------------------


class _Refused(SecurityError):
    """A template went over a time or size budget."""


_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "resume_render_deadline", default=None
)
_AMPLIFYING_STR_METHODS = frozenset(
    {"format", "format_map", "join", "replace", "ljust", "rjust", "center", "zfill", "expandtabs"}
)
_LOOP_GUARD = "__jobpilot_loop_guard__"
_SIZE_GUARD = "__jobpilot_size_guard__"


def _tick() -> None:
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() > deadline:
        msg = f"template rendering took longer than {RENDER_SECONDS:g} s"
        raise _Refused(msg)


def _check_size(size: int) -> None:
    if size > MAX_STRING_CHARS:
        msg = f"template built a value over {MAX_STRING_CHARS:,} characters"
        raise _Refused(msg)


def _sized(value: Any) -> int:
    return len(value) if isinstance(value, str | list | tuple) else 0


def _loop_guard(iterable: Iterable[Any]) -> Iterator[Any]:
    for item in iterable:
        _tick()
        yield item


def _size_guard(value: Any) -> Any:
    _check_size(_sized(value))
    return value


def _bounded_range(*args: int) -> range:
    values = range(*args)
    if len(values) > MAX_RANGE:
        msg = f"range() is limited to {MAX_RANGE} items"
        raise _Refused(msg)
    return values


def _join(value: Iterable[Any], d: str = "", attribute: str | None = None) -> str:
    if attribute:
        value = (item.get(attribute) if isinstance(item, Mapping) else item for item in value)
    items = list(value)
    _check_size(sum(len(str(i)) for i in items) + len(d) * len(items))
    if any(hasattr(i, "__html__") for i in items):
        return markupsafe.escape(d).join(markupsafe.escape(i) for i in items)
    return d.join(str(i) for i in items)


class _ResumeSandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """Immutable sandbox with time and size budgets on loops, calls and string building."""

    intercepted_binops = frozenset({"+", "*", "**", "%"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, str) and attr in _AMPLIFYING_STR_METHODS:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        return None

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        if operator == "*":
            count = right if isinstance(right, int) else left if isinstance(left, int) else 1
            _check_size(max(_sized(left), _sized(right)) * max(count, 0))
        elif operator == "+":
            _check_size(_sized(left) + _sized(right))
        elif operator == "**":
            if isinstance(right, int | float) and abs(right) > 64:
                msg = "exponents are limited to 64"
                raise _Refused(msg)
        elif operator == "%" and isinstance(left, str):
            msg = "%-formatting is not available in resume templates"
            raise _Refused(msg)
        return super().call_binop(context, operator, left, right)

    def call(
        __self,
        __context: jinja2.runtime.Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        _tick()
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**6:
                msg = "numbers passed to calls are limited to 1,000,000"
                raise _Refused(msg)
        return super().call(__context, __obj, *args, **kwargs)


class _NoLoader(jinja2.BaseLoader):
    """Refuses every template name: templates are self-contained strings."""

    def get_source(self, environment: jinja2.Environment, template: str) -> NoReturn:
        raise jinja2.TemplateNotFound(template)


def _finalize(value: Any) -> Any:
    return "" if value is None else value


def _environment() -> _ResumeSandbox:
    env = _ResumeSandbox(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        loader=_NoLoader(),
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    for name in ("format", "center", "indent", "wordwrap", "replace", "join"):
        env.filters.pop(name, None)
    env.filters.update(
        {
            "join": _join,
            "month_year": month_year,
            "date_range": date_range,
            "display_url": display_url,
            "safe_url": safe_url,
            "location_line": location_line,
            "profile_text": profile_text,
            _LOOP_GUARD: _loop_guard,
            _SIZE_GUARD: _size_guard,
        }
    )
    for name in ("lipsum", "cycler", "joiner"):
        env.globals.pop(name, None)
    env.globals["range"] = _bounded_range
    return env


_ENV = _environment()
_REFUSED_NODES: tuple[type[jinja2.nodes.Node], ...] = (
    jinja2.nodes.Extends,
    jinja2.nodes.Include,
    jinja2.nodes.Import,
    jinja2.nodes.FromImport,
)


class _Budgets(NodeTransformer):
    """Wraps every loop's iterable and every `~` concatenation in the budget filters."""

    def visit_For(self, node: jinja2.nodes.For) -> jinja2.nodes.For:
        self.generic_visit(node)
        node.iter = _filtered(node.iter, _LOOP_GUARD)
        return node

    def visit_Concat(self, node: jinja2.nodes.Concat) -> jinja2.nodes.Filter:
        self.generic_visit(node)
        return _filtered(node, _SIZE_GUARD)


def _filtered(node: jinja2.nodes.Node, name: str) -> jinja2.nodes.Filter:
    wrapped = jinja2.nodes.Filter(node, name, [], [], None, None)
    wrapped.set_lineno(node.lineno)
    return wrapped


def _guard(ast: jinja2.nodes.Template) -> None:
    """Refuse template loading and private attributes; put loops and `~` under budgets."""
    for node in ast.find_all(_REFUSED_NODES):
        tag = type(node).__name__.lower().replace("fromimport", "from ... import")
        msg = f"{{% {tag} %}} is not allowed: templates must be self-contained"
        raise TemplateError(msg, stage="syntax", line=node.lineno)
    for node in ast.find_all((jinja2.nodes.Getattr, jinja2.nodes.Getitem)):
        name: Any = getattr(node, "attr", None)
        argument = getattr(node, "arg", None)
        if isinstance(argument, jinja2.nodes.Const):
            name = argument.value
        if isinstance(name, str) and name.startswith("_"):
            msg = f"access to {name!r} is not allowed by the template sandbox"
            raise TemplateError(msg, stage="syntax", line=node.lineno)
    _Budgets().visit(ast)


@lru_cache(maxsize=64)
def _compile(source: str) -> jinja2.Template:
    if len(source.encode()) > MAX_TEMPLATE_BYTES:
        msg = f"the template is over {MAX_TEMPLATE_BYTES // 1024} KB"
        raise TemplateError(msg, stage="size")
    try:
        ast = _ENV.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"syntax error: {exc.message}", stage="syntax", line=exc.lineno
        ) from exc
    _guard(ast)
    try:
        return _ENV.from_string(ast)
    except jinja2.TemplateSyntaxError as exc:  # pragma: no cover - parse caught it already
        raise TemplateError(
            f"syntax error: {exc.message}", stage="syntax", line=exc.lineno
        ) from exc


def _template_line(exc: BaseException) -> int | None:
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _context(resume: Resume, paper: Paper) -> dict[str, Any]:
    doc = resume.model_dump(mode="json")
    if doc["basics"].get("location") is None:
        doc["basics"]["location"] = Location().model_dump(mode="json")
    sections = [{"key": k, "title": HEADINGS[k], "items": doc[k]} for k in SECTIONS if doc[k]]
    return {
        "resume": doc,
        "basics": doc["basics"],
        "sections": sections,
        "headings": dict(HEADINGS),
        "paper": paper,
    }


def _render(template: jinja2.Template, context: dict[str, Any]) -> str:
    token = _deadline.set(time.monotonic() + RENDER_SECONDS)
    parts: list[str] = []
    size = 0
    try:
        for chunk in template.generate(context):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                msg = f"the rendered HTML is over {MAX_OUTPUT_CHARS:,} characters"
                raise _Refused(msg)
            _tick()
            parts.append(chunk)
    except TemplateError:
        raise
    except SecurityError as exc:
        msg = f"blocked by the template sandbox: {exc}"
        raise TemplateError(msg, stage="sandbox", line=_template_line(exc)) from exc
    except jinja2.TemplateError as exc:
        msg = f"{type(exc).__name__}: {exc.message or exc}"
        raise TemplateError(msg, stage="render", line=_template_line(exc)) from exc
    except (ArithmeticError, LookupError, TypeError, ValueError, RecursionError) as exc:
        msg = f"{type(exc).__name__}: {exc}"
        raise TemplateError(msg, stage="render", line=_template_line(exc)) from exc
    finally:
        _deadline.reset(token)
    return "".join(parts)


def render_html(resume: Resume, template: TemplateSource, *, paper: Paper = "A4") -> str:
    """The resume as an HTML document in `template` (the preview and the PDF's source)."""
    return _render(_compile(template.html), _context(resume, paper))


# -- built-in templates -------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _builtins() -> tuple[TemplateSource, ...]:
    folder = resources.files("jobpilot.resumes").joinpath("templates")
    manifest = json.loads(folder.joinpath("manifest.json").read_text(encoding="utf-8"))
    return tuple(
        TemplateSource(
            key=entry["key"],
            name=entry["name"],
            description=entry["description"],
            html=folder.joinpath(entry["file"]).read_text(encoding="utf-8"),
            version=int(entry["version"]),
            layout=entry["layout"],
        )
        for entry in manifest["templates"]
    )


def builtin_templates() -> dict[str, TemplateSource]:
    """The templates JobPilot ships, by key (`classic`, `two-column`, `compact`)."""
    return {t.key: t for t in _builtins()}


# -- PDF ----------------------------------------------------------------------------------------


class _NoFetch(URLFetcher):  # type: ignore[misc]
    """A WeasyPrint URL fetcher that refuses every URL: no file or network access."""

    def fetch(self, url: str, headers: Any = None) -> NoReturn:
        msg = f"resume templates may not load {url[:80]!r}"
        raise ValueError(msg)


_FONTS = FontConfiguration()
_NO_FETCH = _NoFetch()
_WEASY_LOGGER = logging.getLogger("weasyprint")


class _Collect(logging.Handler):
    """Collects WeasyPrint warnings raised on one thread."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.thread == self.thread and "HarfBuzz" not in message:
            self.messages.append(message)


def _document_title(resume: Resume) -> tuple[str, str]:
    name = resume.basics.name or ""
    return (f"{name} {_DASH} Resume" if name else "Resume"), name


def _layout(markup: str, resume: Resume) -> Any:
    document = HTML(string=markup, base_url=None, url_fetcher=_NO_FETCH).render(font_config=_FONTS)
    title, author = _document_title(resume)
    document.metadata.title = title
    document.metadata.authors = [author] if author else []
    return document


# WeasyPrint lays text out with Pango, HarfBuzz and fontconfig, which are not safe to drive from
# several threads at once; an export request and the pre-rendering task may run in two worker
# threads of one process, so PDFs are laid out one at a time per process.
_PDF_LOCK = threading.Lock()


def _pdf_from_html(markup: str, resume: Resume) -> bytes:
    with _PDF_LOCK:
        pdf: bytes = _layout(markup, resume).write_pdf()
    return pdf


def export_pdf(resume: Resume, template: TemplateSource, *, paper: Paper = "A4") -> bytes:
    """The resume as a PDF printed from the template's HTML (the same HTML as the preview)."""
    return _pdf_from_html(render_html(resume, template, paper=paper), resume)


# -- validation ---------------------------------------------------------------------------------

_FORBIDDEN_TAGS = frozenset(
    {
        "script", "iframe", "frame", "frameset", "object", "embed", "applet", "link", "base",
        "form", "input", "button", "textarea", "select", "img", "image", "picture", "source",
        "video", "audio", "track", "use", "foreignobject", "feimage", "meta",
    }
)  # fmt: skip
_FORBIDDEN_ATTRS = frozenset(
    {"src", "srcset", "data", "action", "formaction", "background", "poster", "xlink:href"}
)
_FORBIDDEN_CSS = re.compile(r"@import|url\s*\(|image-set\s*\(|expression\s*\(", re.IGNORECASE)


class _MarkupCheck(html.parser.HTMLParser):
    """Finds what a resume template may not contain: scripts, embeds, remote loads."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problem: tuple[str, int] | None = None
        self._in_style = False

    def _refuse(self, message: str) -> None:
        if self.problem is None:
            self.problem = (message, self.getpos()[0])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta" and all(name in {"charset", "name", "content"} for name, _ in attrs):
            pass
        elif tag in _FORBIDDEN_TAGS:
            self._refuse(f"<{tag}> is not allowed in resume templates")
        for name, value in attrs:
            if name.startswith("on") or name in _FORBIDDEN_ATTRS:
                self._refuse(f"the {name!r} attribute is not allowed in resume templates")
            elif name == "href" and value and not value.startswith("#") and not safe_url(value):
                self._refuse(f"link target {value[:60]!r} is not http(s), mailto or tel")
            elif name == "style" and value and _FORBIDDEN_CSS.search(value):
                self._refuse("CSS may not load anything (no url(), @import or image-set())")
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style and _FORBIDDEN_CSS.search(data):
            self._refuse("CSS may not load anything (no url(), @import or image-set())")


def sample_resume() -> Resume:
    """A resume with every section filled and some optional fields left out."""
    return Resume.model_validate(
        {
            "basics": {
                "name": "Alex Morgan",
                "label": "Senior Platform Engineer",
                "email": "alex.morgan@example.com",
                "phone": "+44 20 7946 0321",
                "url": "https://alexmorgan.example",
                "summary": "Platform engineer with ten years of building reliable systems.",
                "location": {"city": "London", "countryCode": "GB"},
                "profiles": [
                    {
                        "network": "GitHub",
                        "username": "amorgan",
                        "url": "https://github.com/amorgan",
                    },
                    {"network": "Mastodon", "username": "@alex@hachyderm.example"},
                ],
            },
            "work": [
                {
                    "name": "Northwind Logistics",
                    "position": "Staff Engineer",
                    "url": "https://northwind.example",
                    "location": "London",
                    "startDate": "2021-03",
                    "summary": "Leads the delivery platform team.",
                    "highlights": ["Cut p95 latency by 40%", "Mentored six engineers"],
                },
                {
                    "name": "Contoso",
                    "position": "Software Engineer",
                    "startDate": "2016",
                    "endDate": "2021-02",
                    "highlights": ["Built the billing pipeline"],
                },
            ],
            "volunteer": [
                {
                    "organization": "Code Club",
                    "position": "Mentor",
                    "startDate": "2018-09",
                    "highlights": ["Taught Python to 40 children"],
                }
            ],
            "education": [
                {
                    "institution": "University of Leeds",
                    "area": "Computer Science",
                    "studyType": "BSc",
                    "startDate": "2012",
                    "endDate": "2015",
                    "score": "First",
                    "courses": ["Distributed Systems", "Compilers"],
                }
            ],
            "awards": [
                {"title": "Engineer of the Year", "date": "2022-12", "awarder": "Northwind"}
            ],
            "certificates": [{"name": "CKA", "issuer": "CNCF", "date": "2020-06"}],
            "publications": [
                {
                    "name": "Queues at Scale",
                    "publisher": "ACM Queue",
                    "releaseDate": "2023-04-01",
                    "summary": "Back-pressure in practice.",
                }
            ],
            "skills": [
                {"name": "Backend", "level": "Expert", "keywords": ["Python", "Go", "PostgreSQL"]},
                {"name": "Infrastructure", "keywords": ["Kubernetes", "Terraform"]},
            ],
            "languages": [{"language": "English", "fluency": "Native"}, {"language": "Spanish"}],
            "interests": [{"name": "Cycling", "keywords": ["Audax"]}],
            "references": [{"name": "Sam Lee", "reference": "Alex is a thoughtful engineer."}],
            "projects": [
                {
                    "name": "queueberry",
                    "description": "A tiny job queue on PostgreSQL.",
                    "highlights": ["1.2k GitHub stars"],
                    "keywords": ["Python", "PostgreSQL"],
                    "startDate": "2019",
                    "url": "https://github.com/amorgan/queueberry",
                    "roles": ["Maintainer"],
                    "entity": "Open source",
                    "type": "library",
                }
            ],
        }
    )


def validate_template(html: str) -> None:
    """Compile `html` and render it for a sample resume, to HTML and through WeasyPrint.

    Raises `TemplateError` naming the stage (size, syntax, sandbox, render, markup, css,
    layout) and the template line when known, so a broken upload is refused.
    """
    source = TemplateSource(key="upload", name="upload", description="", html=html)
    resume = sample_resume()
    markup = render_html(resume, source)
    check = _MarkupCheck()
    check.feed(markup)
    check.close()
    if check.problem is not None:
        message, _ = check.problem
        raise TemplateError(message, stage="markup", line=_source_line(html, message))
    collect = _Collect()
    _WEASY_LOGGER.addHandler(collect)
    try:
        with _PDF_LOCK:
            document = _layout(markup, resume)
            document.write_pdf()
    except Exception as exc:
        msg = f"WeasyPrint could not lay out the template: {type(exc).__name__}: {exc}"
        raise TemplateError(msg, stage="layout") from exc
    finally:
        _WEASY_LOGGER.removeHandler(collect)
    if collect.messages:
        message = collect.messages[0]
        raise TemplateError(f"CSS problem: {message}", stage="css", line=_css_line(html, message))
    for page in document.pages:
        size = (round(page.width * 0.75), round(page.height * 0.75))
        if size not in _PAPER_POINTS:
            msg = f"pages must be A4 or Letter portrait, not {size[0]} x {size[1]} pt"
            raise TemplateError(msg, stage="layout")
    if len(document.pages) > MAX_SAMPLE_PAGES:
        msg = f"the sample resume laid out on {len(document.pages)} pages"
        raise TemplateError(msg, stage="layout")


def _css_line(source: str, message: str) -> int | None:
    found = re.search(r" at (\d+):\d+", message)
    style = source.lower().find("<style")
    if not found or style < 0:
        return None
    return source.count("\n", 0, style) + int(found[1])


def _source_line(source: str, message: str) -> int | None:
    found = re.search(r"<(\w+)>|'([^']+)'", message)
    if not found:
        return None
    needle = f"<{found[1]}" if found[1] else found[2]
    index = source.lower().find(needle.lower())
    return source.count("\n", 0, index) + 1 if index >= 0 else None


# -- outline (DOCX and text) --------------------------------------------------------------------


@dataclass(frozen=True)
class _Link:
    text: str
    url: str


@dataclass(frozen=True)
class _Entry:
    title: str = ""
    subtitle: str = ""
    meta: tuple[str, ...] = ()
    link: _Link | None = None
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()
    label: str = ""
    text: str = ""


@dataclass(frozen=True)
class _Section:
    key: str
    title: str
    entries: tuple[_Entry, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class _Outline:
    name: str
    label: str
    contact: tuple[_Link, ...]
    profiles: tuple[_Link, ...]
    sections: tuple[_Section, ...]


def _join_nonempty(separator: str, *parts: str | None) -> str:
    return separator.join(p for p in parts if p)


def _link(url: str | None) -> _Link | None:
    return _Link(display_url(url), safe_url(url)) if url else None


def _titled(
    title: str | None,
    subtitle: str | None,
    dates: str,
    *,
    url: str | None = None,
    extra_meta: tuple[str | None, ...] = (),
    paragraphs: tuple[str | None, ...] = (),
    bullets: Iterable[str] = (),
) -> _Entry:
    return _Entry(
        title=title or "",
        subtitle=subtitle or "",
        meta=tuple(m for m in (dates, *extra_meta) if m),
        link=_link(url),
        paragraphs=tuple(p for p in paragraphs if p),
        bullets=tuple(bullets),
    )


def _prefixed(prefix: str, items: list[str]) -> str:
    return f"{prefix}: {', '.join(items)}" if items else ""


def _entries(resume: Resume, key: str) -> tuple[_Entry, ...]:
    if key == "work":
        return tuple(
            _titled(
                w.position,
                w.name,
                date_range(w.startDate, w.endDate),
                url=w.url,
                extra_meta=(w.location,),
                paragraphs=(w.summary,),
                bullets=w.highlights,
            )
            for w in resume.work
        )
    if key == "volunteer":
        return tuple(
            _titled(
                v.position,
                v.organization,
                date_range(v.startDate, v.endDate),
                url=v.url,
                paragraphs=(v.summary,),
                bullets=v.highlights,
            )
            for v in resume.volunteer
        )
    if key == "education":
        return tuple(
            _titled(
                _join_nonempty(" in ", e.studyType, e.area),
                e.institution,
                date_range(e.startDate, e.endDate),
                url=e.url,
                paragraphs=(
                    f"Grade: {e.score}" if e.score else None,
                    _prefixed("Courses", e.courses),
                ),
            )
            for e in resume.education
        )
    if key == "awards":
        return tuple(
            _titled(a.title, a.awarder, month_year(a.date), paragraphs=(a.summary,))
            for a in resume.awards
        )
    if key == "certificates":
        return tuple(
            _titled(c.name, c.issuer, month_year(c.date), url=c.url) for c in resume.certificates
        )
    if key == "publications":
        return tuple(
            _titled(
                p.name,
                p.publisher,
                month_year(p.releaseDate),
                url=p.url,
                paragraphs=(p.summary,),
            )
            for p in resume.publications
        )
    if key == "projects":
        return tuple(
            _titled(
                p.name,
                p.entity,
                date_range(p.startDate, p.endDate),
                url=p.url,
                extra_meta=(p.type,),
                paragraphs=(
                    p.description,
                    _prefixed("Roles", p.roles),
                    _prefixed("Technologies", p.keywords),
                ),
                bullets=p.highlights,
            )
            for p in resume.projects
        )
    if key == "skills":
        return tuple(
            _Entry(
                label=_join_nonempty(" ", s.name, f"({s.level})" if s.level else None),
                text=", ".join(s.keywords),
            )
            for s in resume.skills
        )
    if key == "languages":
        return tuple(
            _Entry(label=lang.language or "", text=lang.fluency or "") for lang in resume.languages
        )
    if key == "interests":
        return tuple(
            _Entry(label=i.name or "", text=", ".join(i.keywords)) for i in resume.interests
        )
    return tuple(
        _Entry(title=r.name or "", paragraphs=(r.reference,) if r.reference else ())
        for r in resume.references
    )


def _outline(resume: Resume) -> _Outline:
    basics = resume.basics
    contact = [
        _Link(basics.email, f"mailto:{basics.email}") if basics.email else None,
        _Link(basics.phone, "tel:" + re.sub(r"[^\d+]", "", basics.phone)) if basics.phone else None,
        _link(basics.url),
        _Link(location_line(basics.location), "") if location_line(basics.location) else None,
    ]
    profiles = [_Link(profile_text(p.model_dump()), safe_url(p.url)) for p in basics.profiles]
    sections: list[_Section] = []
    if basics.summary:
        sections.append(_Section("summary", HEADINGS["summary"], (_Entry(text=basics.summary),)))
    for key in SECTIONS:
        entries = _entries(resume, key)
        if entries:
            sections.append(_Section(key, HEADINGS[key], entries))
    return _Outline(
        name=basics.name or "",
        label=basics.label or "",
        contact=tuple(c for c in contact if c is not None),
        profiles=tuple(p for p in profiles if p.text),
        sections=tuple(sections),
    )


def _line(label: str, text: str) -> str:
    if label and text:
        return f"{label}: {text}"
    return label or text


def _heading_line(entry: _Entry) -> str:
    return _join_nonempty(f" {_EM_DASH} ", entry.title, entry.subtitle)


# -- plain text and JSON ------------------------------------------------------------------------


def export_text(resume: Resume) -> str:
    """The resume as clean plain text, in the templates' order."""
    outline = _outline(resume)
    out: list[str] = []
    if outline.name:
        out.append(outline.name)
    if outline.label:
        out.append(outline.label)
    if outline.contact:
        out.append(" | ".join(c.text for c in outline.contact))
    if outline.profiles:
        out.append(" | ".join(p.text for p in outline.profiles))
    for section in outline.sections:
        out += ["", section.title, "-" * len(section.title)]
        for entry in section.entries:
            heading = _heading_line(entry)
            if heading:
                if out[-1] != "-" * len(section.title):
                    out.append("")
                out.append(heading)
            details = [*entry.meta, *([entry.link.text] if entry.link else [])]
            if details:
                out.append(" | ".join(details))
            out.extend(entry.paragraphs)
            out.extend(f"- {bullet}" for bullet in entry.bullets)
            line = _line(entry.label, entry.text)
            if line:
                out.append(line)
    return "\n".join(out).strip() + "\n"


def export_json(resume: Resume) -> bytes:
    """The resume as a JSON Resume document, UTF-8, indented."""
    return json.dumps(resume.document(), ensure_ascii=False, indent=2).encode() + b"\n"


# -- DOCX ---------------------------------------------------------------------------------------

_ACCENT = RGBColor(0x1F, 0x3A, 0x5F)
_MUTED = RGBColor(0x55, 0x5F, 0x6B)


def _add_hyperlink(paragraph: Paragraph, text: str, url: str) -> None:
    r_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    hyperlink = OxmlElement("w:hyperlink")
    hyperlink.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), str(_ACCENT))
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    properties.append(color)
    properties.append(underline)
    run.append(properties)
    text_element = OxmlElement("w:t")
    text_element.text = text
    text_element.set(qn("xml:space"), "preserve")
    run.append(text_element)
    hyperlink.append(run)
    paragraph._p.append(hyperlink)


def _add_links(paragraph: Paragraph, links: Iterable[_Link], separator: str) -> None:
    for index, link in enumerate(links):
        if index:
            paragraph.add_run(separator).font.color.rgb = _MUTED
        if link.url:
            _add_hyperlink(paragraph, link.text, link.url)
        else:
            paragraph.add_run(link.text)


def _bottom_border(paragraph: Paragraph) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "A0AEC0")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


_STYLE_IDS = {"Title": "Title", "Heading 1": "Heading1", "Heading 2": "Heading2",
              "List Bullet": "ListBullet"}  # fmt: skip


def _styled(document: Any, text: str, style: str) -> Paragraph:
    """A paragraph in a built-in style, set by id (python-docx's lookup by name is slow)."""
    paragraph: Paragraph = document.add_paragraph(text)
    paragraph._p.get_or_add_pPr().style = _STYLE_IDS[style]
    return paragraph


def _style_document(document: Any) -> None:
    section = document.sections[0]
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(1.8)
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(3)
    for name, size, before, after in (
        ("Title", 24, 0, 2),
        ("Heading 1", 13, 12, 4),
        ("Heading 2", 11, 8, 1),
    ):
        style = styles[name]
        style.font.name = "Calibri"
        style.font.size = Pt(size)
        style.font.color.rgb = _ACCENT
        style.font.bold = True
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(after)
        style.paragraph_format.keep_with_next = True
    styles["List Bullet"].paragraph_format.space_after = Pt(1)


def export_docx(resume: Resume) -> bytes:
    """The resume as a Word document with real Title, Heading 1/2 and "List Bullet" styles."""
    outline = _outline(resume)
    document = Document()
    package_rels = document.part.package.rels
    for r_id in [
        k for k, rel in package_rels.items() if rel.reltype == RELATIONSHIP_TYPE.THUMBNAIL
    ]:
        del package_rels[r_id]
    _style_document(document)
    title, author = _document_title(resume)
    document.core_properties.title = title
    document.core_properties.author = author
    if outline.name:
        _styled(document, outline.name, "Title")
    if outline.label:
        label = document.add_paragraph()
        run = label.add_run(outline.label)
        run.font.size, run.font.color.rgb = Pt(12), _MUTED
    if outline.contact:
        _add_links(document.add_paragraph(), outline.contact, f"  {_DOT}  ")
    if outline.profiles:
        _add_links(document.add_paragraph(), outline.profiles, f"  {_DOT}  ")
    for section in outline.sections:
        _bottom_border(_styled(document, section.title, "Heading 1"))
        for entry in section.entries:
            _docx_entry(document, entry)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_entry(document: Any, entry: _Entry) -> None:
    heading = _heading_line(entry)
    if heading:
        _styled(document, heading, "Heading 2")
    if entry.meta or entry.link:
        meta = document.add_paragraph()
        meta.paragraph_format.keep_with_next = True
        if entry.meta:
            run = meta.add_run(f"  {_DOT}  ".join(entry.meta))
            run.italic, run.font.color.rgb = True, _MUTED
        if entry.link:
            if entry.meta:
                meta.add_run(f"  {_DOT}  ").font.color.rgb = _MUTED
            _add_links(meta, [entry.link], "")
    for text in entry.paragraphs:
        document.add_paragraph(text)
    for bullet in entry.bullets:
        _styled(document, bullet, "List Bullet")
    if entry.label or entry.text:
        paragraph = document.add_paragraph()
        if entry.label:
            paragraph.add_run(entry.label + (": " if entry.text else "")).bold = True
        if entry.text:
            paragraph.add_run(entry.text)
