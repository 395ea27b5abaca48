"""Resume templates and exports: sandboxed HTML, PDF, DOCX, plain text and JSON Resume.

The text-extraction helpers (`pdf_text`, `docx_text`, `expected_values`, `missing_values`) are
meant to be reused by the parser round-trip tests: export, extract, parse, compare.
"""

from __future__ import annotations

import html
import io
import json
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

import docx
import pdfplumber
import pypdf
import pytest

from jobpilot.resumes import render
from jobpilot.resumes.render import (
    HEADINGS,
    TemplateError,
    TemplateSource,
    builtin_templates,
    date_range,
    display_url,
    export_docx,
    export_json,
    export_pdf,
    export_text,
    month_year,
    render_html,
    sample_resume,
    validate_template,
)
from jobpilot.resumes.schema import SECTIONS, Resume

TEMPLATE_KEYS = ("classic", "two-column", "compact")
SIDEBAR_KEYS = ("skills", "languages", "interests")
A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)


# -- reusable helpers ---------------------------------------------------------------------------


def _leaf_values(key: str, value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for child_key, child in value.items():
            if child_key != "image":
                yield from _leaf_values(child_key, child)
    elif isinstance(value, list):
        for item in value:
            yield from _leaf_values(key, item)
    elif isinstance(value, str) and value:
        if key.lower().endswith("date"):
            yield month_year(value)
        elif key == "url":
            yield display_url(value)
        else:
            yield value


def expected_values(resume: Resume) -> list[str]:
    """Every value a reader must find in an export (dates and URLs as they are displayed)."""
    return list(dict.fromkeys(_leaf_values("", resume.document())))


def normalise(text: str) -> str:
    """Text compared without whitespace (line wraps) and with ligatures and widths folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def missing_values(resume: Resume, text: str) -> list[str]:
    """The expected values that `text` does not contain."""
    haystack = normalise(text)
    return [v for v in expected_values(resume) if normalise(v) not in haystack]


def pdf_text(pdf: bytes, split_x: float | None = None) -> str:
    """The PDF's text, page by page; with `split_x`, the left column then the right one."""
    out: list[str] = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            if split_x is None:
                out.append(page.extract_text() or "")
            else:
                left = page.crop((0, 0, split_x, page.height))
                right = page.crop((split_x, 0, page.width, page.height))
                out.append(left.extract_text() or "")
                out.append(right.extract_text() or "")
    return "\n".join(out)


def docx_text(data: bytes) -> str:
    """The text of a Word document, a paragraph a line (hyperlink text included)."""
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def heading_order(text: str) -> list[str]:
    """The section headings in the order they appear as lines of `text`."""
    wanted = {title.lower(): title for title in HEADINGS.values()}
    return [wanted[line.lower()] for line in lines(text) if line.lower() in wanted]


def index_of(text: str, needle: str) -> int:
    position = normalise(text).find(normalise(needle))
    assert position >= 0, f"{needle!r} not found"
    return position


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def resume() -> Resume:
    return sample_resume()


@pytest.fixture(scope="module")
def pdfs(resume: Resume) -> dict[str, bytes]:
    templates = builtin_templates()
    return {key: export_pdf(resume, templates[key]) for key in TEMPLATE_KEYS}


@pytest.fixture(scope="module")
def docx_bytes(resume: Resume) -> bytes:
    return export_docx(resume)


def expected_headings(resume: Resume, keys: tuple[str, ...] | None = None) -> list[str]:
    present = [k for k in SECTIONS if getattr(resume, k) and (keys is None or k in keys)]
    summary = ["Summary"] if resume.basics.summary and keys is None else []
    return summary + [HEADINGS[k] for k in present]


def two_column_split(pdf: bytes) -> float:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        words = document.pages[0].extract_words()
    heading = next(w for w in words if w["text"].lower() == "experience")
    return float(heading["x0"]) - 4


# -- templates and HTML -------------------------------------------------------------------------


def test_builtin_templates_are_listed_with_their_metadata() -> None:
    templates = builtin_templates()
    assert tuple(templates) == TEMPLATE_KEYS
    for key, template in templates.items():
        assert template.key == key
        assert template.name
        assert template.description
        assert template.version >= 1
        assert "{{ paper }}" in template.html


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_builtin_templates_pass_validation(key: str) -> None:
    validate_template(builtin_templates()[key].html)


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_html_contains_every_value(resume: Resume, key: str) -> None:
    markup = render_html(resume, builtin_templates()[key])
    assert markup.lstrip().startswith("<!DOCTYPE html>")
    assert missing_values(resume, html.unescape(markup)) == []
    assert "@page" in markup
    assert "size: A4" in markup
    assert "http://" not in markup.replace("https://", "")
    assert "<img" not in markup


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_html_escapes_hostile_text(key: str) -> None:
    hostile = Resume.model_validate(
        {
            "basics": {"name": "Eve <b>Bold</b>", "url": "javascript:alert(1)"},
            "work": [
                {
                    "position": "Engineer",
                    "url": "javascript:alert(2)",
                    "highlights": ["<script>alert('x')</script>", 'He said "hi" & left'],
                }
            ],
        }
    )
    markup = render_html(hostile, builtin_templates()[key])
    assert "<script" not in markup
    assert "&lt;script&gt;" in markup
    assert "Eve &lt;b&gt;Bold&lt;/b&gt;" in markup
    assert "&amp; left" in markup
    assert 'href="javascript' not in markup
    text = pdf_text(export_pdf(hostile, builtin_templates()[key]))
    assert "<script>alert('x')</script>" in text


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_missing_optional_fields_render(key: str) -> None:
    template = builtin_templates()[key]
    assert "<h1>" not in render_html(Resume(), template)
    markup = render_html(Resume.model_validate({"basics": {"name": "Only Name"}}), template)
    assert "Only Name" in markup
    assert "None" not in markup


def test_letter_paper_is_passed_to_the_template(resume: Resume) -> None:
    markup = render_html(resume, builtin_templates()["classic"], paper="Letter")
    assert "size: Letter" in markup


def test_date_filters() -> None:
    assert month_year("2020-01") == "Jan 2020"
    assert month_year("2020-12-31") == "Dec 2020"
    assert month_year("2019") == "2019"
    assert month_year(None) == ""
    assert date_range("2020-01", None) == "Jan 2020 \u2013 Present"
    assert date_range("2020-01", "2022-03") == "Jan 2020 \u2013 Mar 2022"
    assert date_range("2020-01", "2020-01-20") == "Jan 2020"
    assert date_range(None, "2022") == "2022"
    assert date_range(None, None) == ""


# -- the sandbox and validate_template ----------------------------------------------------------


def _refused(source: str) -> TemplateError:
    with pytest.raises(TemplateError) as caught:
        validate_template(source)
    error = caught.value
    assert error.code == "template_error"
    assert error.status == 422
    return error


@pytest.mark.parametrize(
    ("source", "named"),
    [
        ("<p>{{ ''.__class__.__mro__ }}</p>", "__mro__"),
        ("<p>{{ ''['__cla' ~ 'ss__'] }}</p>", "__class__"),
        ("<p>{{ basics|attr('__class__') }}</p>", "__class__"),
        ("<p>{{ 'x'.replace('x', 'yy') }}</p>", "replace"),
        ("<p>{{ '{0.__class__}'.format(1) }}</p>", "format"),
        ("<p>{{ lipsum(9) }}</p>", "lipsum"),
    ],
)
def test_sandbox_escapes_are_refused(source: str, named: str) -> None:
    error = _refused(source)
    assert named in error.message
    assert error.details["stage"] in {"syntax", "sandbox", "render"}


@pytest.mark.parametrize(
    ("source", "tag"),
    [
        ("<p>\n{% include '/etc/passwd' %}</p>", "include"),
        ("{% extends 'base.html' %}", "extends"),
        ("{% import 'macros.html' as m %}", "import"),
        ("{% from 'macros.html' import m %}", "import"),
    ],
)
def test_template_loading_is_refused(source: str, tag: str) -> None:
    error = _refused(source)
    assert tag in error.message
    assert "passwd" not in error.message or tag == "include"


def test_include_error_names_the_line() -> None:
    assert _refused("<p>\n{% include '/etc/passwd' %}</p>").line == 2


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'x' * 10**7 }}",
        "{% set a = 'x' * 1000000 %}{% set a = a ~ a %}{% set a = a ~ a %}{{ a }}",
        "{% macro f(s) %}{{ f(s ~ s) }}{% endmacro %}{{ f('x') }}",
        "{{ '%099999999d' % 1 }}",
        "{{ range(10**6)|list }}",
    ],
)
def test_resource_bombs_are_refused(source: str) -> None:
    assert _refused(source).details["stage"] == "sandbox"


def test_long_loops_hit_the_render_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "RENDER_SECONDS", 0.2)
    loops = "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}"
    error = _refused(loops * 10)
    assert "longer than" in error.message


def test_oversized_templates_are_refused() -> None:
    assert _refused("<p>x</p>" * 30_000).details["stage"] == "size"


@pytest.mark.parametrize(
    ("source", "named"),
    [
        ("<p>ok</p>\n<script>alert(1)</script>", "<script>"),
        ("<p><img src='https://tracker.example/x.png'></p>", "<img>"),
        ("<style>@import url(https://fonts.example/x.css);</style>", "url()"),
        ("<style>p { background: url('file:///etc/passwd') }</style>", "url()"),
        ("<a href='javascript:alert(1)'>x</a>", "javascript"),
        ("<p onclick='steal()'>x</p>", "onclick"),
        ("<link rel='stylesheet' href='https://cdn.example/x.css'>", "<link>"),
    ],
)
def test_markup_that_loads_or_runs_things_is_refused(source: str, named: str) -> None:
    error = _refused(source)
    assert error.details["stage"] == "markup"
    assert named in error.message


def test_syntax_error_names_the_line() -> None:
    error = _refused("<html>\n<body>\n{% if %}\n</body></html>")
    assert error.details["stage"] == "syntax"
    assert error.line == 3
    assert "line 3" in error.message


@pytest.mark.parametrize(
    ("source", "line", "named"),
    [
        ("<p>\n{{ 1 / 0 }}</p>", 2, "ZeroDivisionError"),
        ("<p>\n\n{{ basics.nmae }}</p>", 3, "nmae"),
    ],
)
def test_render_errors_name_the_line(source: str, line: int, named: str) -> None:
    error = _refused(source)
    assert error.details["stage"] == "render"
    assert error.line == line
    assert named in error.message


def test_invalid_css_is_refused_with_its_line() -> None:
    error = _refused("<html>\n<head>\n<style>\np { color: nope; }\n</style></head></html>")
    assert error.details["stage"] == "css"
    assert "color: nope" in error.message
    assert error.line == 4


def test_layout_weasyprint_cannot_print_on_paper_is_refused() -> None:
    error = _refused("<style>@page { size: 1mm 1mm; margin: 0 }</style><p>{{ basics.name }}</p>")
    assert error.details["stage"] == "layout"


def test_plain_jinja_still_works_in_the_sandbox() -> None:
    validate_template(
        "{% for _ in range(2) %}<p>{{ loop.index }}</p>{% endfor %}"
        "{% set ns = namespace(n=0) %}{% for s in sections %}{% set ns.n = ns.n + 1 %}{% endfor %}"
        "<p>{{ ns.n }} {{ sections|map(attribute='title')|join(', ') }} {{ 'a' ~ 'b' }}</p>"
        "<p>{{ basics.name|upper }} {{ resume.work|length }} {{ basics.profiles[0].network }}</p>"
    )


def test_custom_template_renders_through_the_same_path(resume: Resume) -> None:
    source = (
        "<!DOCTYPE html><html><head><style>@page { size: {{ paper }} }</style></head><body>"
        "<h1>{{ basics.name }}</h1>{% for s in sections %}<h2>{{ s.title }}</h2>{% endfor %}"
        "<p>{{ resume.work[0].startDate|date_range(resume.work[0].endDate) }}</p></body></html>"
    )
    validate_template(source)
    template = TemplateSource(key="custom", name="Custom", description="", html=source)
    markup = render_html(resume, template)
    assert "Mar 2021 \u2013 Present" in markup
    assert export_pdf(resume, template).startswith(b"%PDF")


# -- PDF ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_pdf_text_is_in_reading_order(resume: Resume, pdfs: dict[str, bytes], key: str) -> None:
    pdf = pdfs[key]
    assert lines(pdf_text(pdf))[0] == resume.basics.name
    if key == "two-column":
        text = pdf_text(pdf, split_x=two_column_split(pdf))
        main_keys = tuple(k for k in SECTIONS if k not in SIDEBAR_KEYS)
        assert heading_order(text) == [
            *expected_headings(resume, SIDEBAR_KEYS),
            "Summary",
            *expected_headings(resume, main_keys),
        ]
    else:
        text = pdf_text(pdf)
        assert heading_order(text) == expected_headings(resume)
    staff, first, second = (
        index_of(text, "Staff Engineer"),
        index_of(text, "Cut p95 latency by 40%"),
        index_of(text, "Mentored six engineers"),
    )
    assert staff < first < second < index_of(text, "Software Engineer")
    assert index_of(text, "Software Engineer") < index_of(text, "Built the billing pipeline")


def test_pdf_export_fetches_nothing(resume: Resume, tmp_path: Any) -> None:
    from PIL import Image

    image = tmp_path / "secret.png"
    Image.new("RGB", (8, 8), "red").save(image)
    source = (
        f"<style>body {{ background: url('{image.as_uri()}') }}</style>"
        f"<img src='{image.as_uri()}'><img src='http://127.0.0.1:9/x.png'>"
        "<p>{{ basics.name }}</p>"
    )
    template = TemplateSource(key="x", name="x", description="", html=source)
    with pdfplumber.open(io.BytesIO(export_pdf(resume, template))) as document:
        page = document.pages[0]
        assert page.images == []
        assert "Alex Morgan" in (page.extract_text() or "")
    with pytest.raises(ValueError, match="may not load"):
        render._NO_FETCH.fetch("https://example.com/font.woff2")


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_pdf_is_selectable_text_on_a4_with_metadata(pdfs: dict[str, bytes], key: str) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdfs[key]))
    for page in reader.pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx(A4, abs=1)
    assert reader.metadata is not None
    assert reader.metadata.title == "Alex Morgan \u2013 Resume"
    assert reader.metadata.author == "Alex Morgan"
    with pdfplumber.open(io.BytesIO(pdfs[key])) as document:
        for page in document.pages:
            assert page.images == []
        assert len(document.pages[0].chars) > 500


def test_pdf_on_letter_paper(resume: Resume) -> None:
    pdf = export_pdf(resume, builtin_templates()["compact"], paper="Letter")
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(LETTER, abs=1)


# -- DOCX ---------------------------------------------------------------------------------------


def test_docx_structure(resume: Resume, docx_bytes: bytes) -> None:
    document = docx.Document(io.BytesIO(docx_bytes))
    paragraphs = document.paragraphs
    assert paragraphs[0].style is not None
    assert (paragraphs[0].style.name, paragraphs[0].text) == ("Title", "Alex Morgan")
    headings = [p.text for p in paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert headings == expected_headings(resume)
    bullets = [p.text for p in paragraphs if p.style is not None and p.style.name == "List Bullet"]
    with_highlights = [k for k in SECTIONS if k in {"work", "volunteer", "projects"}]
    highlights = [h for key in with_highlights for e in getattr(resume, key) for h in e.highlights]
    assert bullets == highlights
    entries = [p.text for p in paragraphs if p.style is not None and p.style.name == "Heading 2"]
    assert entries[0] == "Staff Engineer \u2014 Northwind Logistics"
    assert document.core_properties.title == "Alex Morgan \u2013 Resume"
    assert document.core_properties.author == "Alex Morgan"
    text = docx_text(docx_bytes)
    assert index_of(text, "Staff Engineer") < index_of(text, "Cut p95 latency by 40%")
    assert b"https://github.com/amorgan" in _docx_part(docx_bytes, "word/_rels/document.xml.rels")


def _docx_part(data: bytes, name: str) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def test_docx_handles_an_empty_resume() -> None:
    document = docx.Document(io.BytesIO(export_docx(Resume())))
    assert document.core_properties.title == "Resume"


# -- round trip: every value survives every export ----------------------------------------------


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_every_value_survives_pdf_export(resume: Resume, pdfs: dict[str, bytes], key: str) -> None:
    assert missing_values(resume, pdf_text(pdfs[key])) == []


def test_every_value_survives_docx_export(resume: Resume, docx_bytes: bytes) -> None:
    assert missing_values(resume, docx_text(docx_bytes)) == []


def test_plain_text_export(resume: Resume) -> None:
    text = export_text(resume)
    assert missing_values(resume, text) == []
    assert lines(text)[0] == "Alex Morgan"
    assert heading_order(text) == expected_headings(resume)
    assert "- Cut p95 latency by 40%" in text
    assert "<" not in text


def test_json_export_is_json_resume(resume: Resume) -> None:
    data = export_json(resume)
    document = json.loads(data.decode("utf-8"))
    assert document == resume.document()
    assert Resume.model_validate(document) == resume
    assert b'\n  "basics"' in data
    assert "Zoë".encode() in export_json(Resume.model_validate({"basics": {"name": "Zoë"}}))
