# ruff: noqa: RUF001 - resumes write dashes, bullets and accents as such
"""Text with layout out of PDF and DOCX files: lines in reading order, with size, weight and links.

PDF pages are read from pdfplumber's words. Words are grouped into lines by their vertical
centres; a wide horizontal gap splits a line into segments (a date pushed to the right margin
is its own segment). A page whose words leave a clear vertical gutter, with the two sides not
sharing baselines, is read as two columns, one after the other. DOCX files are read paragraph
by paragraph (with their style names), tables row by row and simple text boxes after the body.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import re
import statistics
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from jobpilot.resumes.parsing.errors import EncryptedPdf, NoText, ResumeUnreadable

Layout = Literal["single", "two-column"]

BULLET_CHARS = "•◦▪▫●○■□►▸‣⁃∙·-–*➢✓✔❖➤→"
_ICON_FONTS = ("awesome", "phosphor", "icon", "glyph", "wingding", "dingbat", "material")
_GLUED_BULLETS = "•◦▪●■►➢✓✔❖➤"
_CID = re.compile(r"\(cid:\d+\)")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


@dataclass(frozen=True)
class Segment:
    """A run of words on one line with no wide gap inside."""

    text: str
    x0: float
    x1: float
    size: float = 0.0


@dataclass(frozen=True)
class Line:
    """One visual line (PDF) or paragraph (DOCX) of the document."""

    text: str
    segments: tuple[Segment, ...] = ()
    size: float = 0.0
    bold: bool = False
    page: int = 0
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bullet: bool = False
    style: str = ""
    column: int = 0

    @property
    def parts(self) -> list[str]:
        """The texts of the segments (the whole text when the line has one)."""
        return [s.text for s in self.segments] if self.segments else [self.text]


@dataclass
class Document:
    """What extraction found: lines in reading order, link targets and layout facts."""

    lines: list[Line]
    links: list[str] = field(default_factory=list)
    pages: int = 1
    layout: Layout = "single"
    body_size: float = 0.0
    kind: Literal["pdf", "docx"] = "pdf"
    # Pictures, and tables holding text: what ATS software tends to misread.
    images: int = 0
    tables: int = 0

    @property
    def text(self) -> str:
        """The plain text, one line per line."""
        return "\n".join(line.text for line in self.lines)


def clean_text(text: str) -> str:
    """Normalise a piece of text: ligatures, soft hyphens, odd dashes and spaces."""
    text = text.replace("\u00ad", "").replace("\ufffd", "")
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2010", "-").replace("\u2011", "-").replace("\u2012", "-")
    text = _fix_lost_ligatures(text)
    text = re.sub(r"(?<=\w)--(?=\w)", "-", text)
    text = "".join(ch for ch in text if ch in "\t\n" or unicodedata.category(ch)[0] != "C")
    text = "".join(ch for ch in text if not _is_private(ch))
    return _SPACES.sub(" ", text).strip()


def _is_private(ch: str) -> bool:
    return unicodedata.category(ch) == "Co"


def _fix_lost_ligatures(text: str) -> str:
    """Put back "fi"/"fl" where a font without a ToUnicode entry left a NUL behind."""
    if "\x00" not in text:
        return text
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch != "\x00":
            out.append(ch)
            continue
        after = text[i + 1 : i + 4].lower()
        out.append(_guess_ligature(after))
    return "".join(out)


def _guess_ligature(after: str) -> str:
    if not after or not after[0].isalpha():
        return "fi"
    first = after[0]
    if first in "aouyi":
        return "fl"
    if first == "e":
        return "fi" if after[1:].startswith(("ld", "rc", "nd", "ry", "d", "s", "r")) else "fl"
    return "fi"


# --- PDF -----------------------------------------------------------------------------------


@dataclass
class _Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool

    @property
    def mid(self) -> float:
        return (self.top + self.bottom) / 2


def extract_pdf(data: bytes) -> Document:
    """Lines, links and layout of a PDF; raises the parsing errors on unreadable files."""
    _check_pdf(data)
    import pdfplumber

    lines: list[Line] = []
    links: list[str] = []
    two_column = False
    images = 0
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = len(pdf.pages)
            for number, page in enumerate(pdf.pages):
                images += len(page.images)
                links.extend(_page_links(page))
                words = _page_words(page)
                page_lines, split = _page_lines(words, float(page.width), number)
                two_column = two_column or split
                lines.extend(page_lines)
    except (EncryptedPdf, NoText):
        raise
    except Exception as exc:
        raise ResumeUnreadable("The PDF could not be read; it may be damaged.") from exc
    lines = _drop_page_furniture(lines, pages)
    if sum(len(line.text) for line in lines) < 20:
        raise NoText("The PDF has no text layer (a scan?); upload a text-based PDF or DOCX.")
    sizes = [line.size for line in lines for _ in range(max(1, len(line.text) // 20))]
    body = statistics.median(sizes) if sizes else 0.0
    return Document(
        lines=lines,
        links=_unique(links),
        pages=pages,
        layout="two-column" if two_column else "single",
        body_size=body,
        kind="pdf",
        images=images,
    )


def _check_pdf(data: bytes) -> None:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
        if not encrypted:
            _ = len(reader.pages)
    except Exception as exc:
        raise ResumeUnreadable("The PDF could not be read; it may be damaged.") from exc
    if encrypted:
        raise EncryptedPdf("The PDF is password-protected; upload a copy without a password.")


def _page_links(page: Any) -> Iterator[str]:
    try:
        for link in page.hyperlinks:
            uri = link.get("uri")
            if isinstance(uri, str) and uri.strip():
                yield uri.strip()
    except Exception:  # noqa: S110 - a broken annotation must not lose the page's text
        pass


def _page_words(page: Any) -> list[_Word]:
    raw = page.extract_words(
        extra_attrs=["fontname", "size"], keep_blank_chars=False, x_tolerance=1.5
    )
    words: list[_Word] = []
    for w in raw:
        font = str(w.get("fontname", "")).lower()
        text = _CID.sub("", str(w["text"]))
        if any(tag in font for tag in _ICON_FONTS) and text not in BULLET_CHARS:
            continue
        text = clean_text(text)
        if not text:
            continue
        words.append(
            _Word(
                text=text,
                x0=float(w["x0"]),
                x1=float(w["x1"]),
                top=float(w["top"]),
                bottom=float(w["bottom"]),
                size=round(float(w.get("size", 0.0)), 1),
                bold=any(tag in font for tag in ("bold", "black", "heavy", "semibold")),
            )
        )
    return words


def _page_lines(words: list[_Word], width: float, page: int) -> tuple[list[Line], bool]:
    if not words:
        return [], False
    gutter = _find_gutter(words, width)
    if gutter is None:
        return _lines_of(words, page, 0), False
    out: list[Line] = []
    for band, split in _bands(words, gutter):
        if not split:
            out.extend(_lines_of(band, page, 0))
            continue
        left = [w for w in band if w.x1 <= gutter]
        right = [w for w in band if w.x0 >= gutter]
        columns = [(left, 1), (right, 2)]
        biggest = max(band, key=lambda w: w.size)
        if biggest in right and biggest.size > min(w.size for w in band) * 1.3:
            columns.reverse()
        for column_words, column in columns:
            out.extend(_lines_of(column_words, page, column))
    return out, True


def _find_gutter(words: list[_Word], width: float) -> float | None:
    """The x of a vertical gap that splits the page into two columns of running text."""
    chars = sum(len(w.text) for w in words)
    if chars < 200 or len(words) < 40:
        return None
    best: tuple[float, float] | None = None
    x = width * 0.2
    while x <= width * 0.8:
        crossing = sum(len(w.text) for w in words if w.x0 < x < w.x1)
        left = sum(len(w.text) for w in words if w.x1 <= x)
        if crossing <= chars * 0.04 and chars * 0.15 <= left <= chars * 0.85:
            clearance = min(
                (min(abs(w.x0 - x), abs(w.x1 - x)) for w in words if not w.x0 < x < w.x1),
                default=0.0,
            )
            score = clearance - 10.0 * crossing
            if best is None or score > best[1]:
                best = (x, score)
        x += 2.0
    if best is None:
        return None
    gutter = best[0]
    left_lines = _line_mids([w for w in words if w.x1 <= gutter])
    right_lines = _line_mids([w for w in words if w.x0 >= gutter])
    if len(left_lines) < 6 or len(right_lines) < 6:
        return None
    left_paired = sum(1 for m in left_lines if any(abs(m - r) < 1.0 for r in right_lines))
    right_paired = sum(1 for m in right_lines if any(abs(m - r) < 1.0 for r in left_lines))
    if max(left_paired / len(left_lines), right_paired / len(right_lines)) > 0.45:
        return None
    return gutter


def _line_mids(words: list[_Word]) -> list[float]:
    return [statistics.fmean(w.mid for w in group) for group in _group_rows(words)]


def _bands(words: list[_Word], gutter: float) -> Iterator[tuple[list[_Word], bool]]:
    """Horizontal bands: rows crossing the gutter are single, runs between them are split."""
    rows = _group_rows(words)
    current: list[_Word] = []
    for row in rows:
        spans = any(w.x0 < gutter < w.x1 for w in row)
        if spans:
            if current:
                yield current, True
                current = []
            yield row, False
        else:
            current.extend(row)
    if current:
        yield current, True


def _group_rows(words: list[_Word]) -> list[list[_Word]]:
    rows: list[list[_Word]] = []
    for word in sorted(words, key=lambda w: (w.mid, w.x0)):
        if rows:
            row = rows[-1]
            ref = statistics.fmean(w.mid for w in row)
            height = min(word.bottom - word.top, *(w.bottom - w.top for w in row))
            if abs(word.mid - ref) <= max(1.5, height * 0.45):
                row.append(word)
                continue
        rows.append([word])
    return rows


def _lines_of(words: list[_Word], page: int, column: int) -> list[Line]:
    lines: list[Line] = []
    for grouped in _group_rows(words):
        row = [_Word(**vars(w)) for w in sorted(grouped, key=lambda w: w.x0)]
        segments: list[list[_Word]] = [[row[0]]]
        for prev, word in itertools.pairwise(row):
            gap = word.x0 - prev.x1
            ratio = max(prev.size, word.size) / max(0.1, min(prev.size, word.size))
            if gap > max(10.0, 1.2 * max(prev.size, word.size)) or (ratio > 1.3 and gap > 2.0):
                segments.append([word])
            else:
                segments[-1].append(word)
        bullet = _strip_bullet(segments[0])
        segs = tuple(
            Segment(_join_words(seg), seg[0].x0, seg[-1].x1, max(w.size for w in seg))
            for seg in segments
            if seg
        )
        text = " ".join(s.text for s in segs)
        if not text:
            continue
        content = [w for w in row if w.text not in BULLET_CHARS] or row
        size = max(
            (w.size for w in content),
            key=lambda s: sum(len(w.text) for w in content if w.size == s),
        )
        bold_chars = sum(len(w.text) for w in content if w.bold)
        lines.append(
            Line(
                text=text,
                segments=segs,
                size=size,
                bold=bold_chars >= 0.6 * sum(len(w.text) for w in content),
                page=page,
                x0=row[0].x0,
                x1=row[-1].x1,
                top=min(w.top for w in row),
                bullet=bullet,
                column=column,
            )
        )
    return lines


def _strip_bullet(words: list[_Word]) -> bool:
    """Remove a leading bullet glyph from the first segment; say whether there was one."""
    first = words[0]
    if first.text in BULLET_CHARS and len(first.text) == 1:
        if len(words) > 1 or first.text not in "-–*":
            del words[0]
            return True
        return False
    if first.text[0] in _GLUED_BULLETS and len(first.text) > 1:
        first.text = first.text[1:].lstrip()
        return True
    return False


def _join_words(words: list[_Word]) -> str:
    text = " ".join(w.text for w in words)
    return re.sub(r"(\w) ([\u0300-\u036f])", r"\1\2", text)


def _drop_page_furniture(lines: list[Line], pages: int) -> list[Line]:
    """Drop page numbers ("1/2", "2") and lines repeated on every page (running headers)."""
    out: list[Line] = []
    repeated: set[str] = set()
    if pages > 1:
        counts: dict[str, set[int]] = {}
        for line in lines:
            counts.setdefault(line.text, set()).add(line.page)
        repeated = {t for t, p in counts.items() if len(p) == pages and len(t) < 60}
    for line in lines:
        text = line.text
        if re.fullmatch(r"(page\s*)?\d{1,2}(\s*(/|of)\s*\d{1,2})?", text, re.IGNORECASE):
            continue
        if re.fullmatch(r".{0,40}[-–] \d{1,2}/\d{1,2}", text) or text in repeated:
            continue
        if re.fullmatch(r"last updated (in|on) .{0,30}", text, re.IGNORECASE):
            continue
        out.append(line)
    return out


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --- DOCX ----------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def extract_docx(data: bytes) -> Document:
    """Paragraphs (with styles), table rows and text boxes of a DOCX, and its hyperlinks."""
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
        lines = list(_docx_lines(document))
        links = _docx_links(document)
        images = len(document.inline_shapes)
        tables = sum(
            1
            for table in document.tables
            if any(cell.text.strip() for row in table.rows for cell in row.cells)
        )
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ResumeUnreadable("The DOCX could not be read; it may be damaged.") from exc
    except Exception as exc:
        raise ResumeUnreadable("The DOCX could not be read; it may be damaged.") from exc
    if sum(len(line.text) for line in lines) < 20:
        raise NoText("The document has no text.")
    sizes = [line.size for line in lines if line.size]
    return Document(
        lines=lines,
        links=links,
        pages=1,
        layout="single",
        body_size=statistics.median(sizes) if sizes else 0.0,
        kind="docx",
        images=images,
        tables=tables,
    )


def _docx_lines(document: Any) -> Iterator[Line]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    body = document.element.body
    for child in body.iterchildren():
        if child.tag == f"{_W}p":
            yield from _paragraph_lines(Paragraph(child, document))
        elif child.tag == f"{_W}tbl":
            table = Table(child, document)
            for row in table.rows:
                cells: list[str] = []
                for cell in row.cells:
                    text = clean_text(cell.text)
                    if text and (not cells or cells[-1] != text):
                        cells.append(text)
                if cells:
                    segments = tuple(Segment(c, float(i), float(i)) for i, c in enumerate(cells))
                    yield Line(text=" | ".join(cells), segments=segments, style="Table")
    for box in body.iter(f"{_W}txbxContent"):
        for p in box.iter(f"{_W}p"):
            text = clean_text("".join(t.text or "" for t in p.iter(f"{_W}t")))
            if text:
                yield Line(text=text, style="TextBox")


def _paragraph_lines(paragraph: Any) -> Iterator[Line]:
    raw = paragraph.text
    style = ""
    with contextlib.suppress(Exception):
        style = str(paragraph.style.name or "") if paragraph.style is not None else ""
    numbered = paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None
    runs = [r for r in paragraph.runs if r.text.strip()]
    sizes = [r.font.size.pt for r in runs if r.font.size is not None]
    size = max(sizes) if sizes else _style_size(paragraph)
    bold_chars = sum(len(r.text) for r in runs if r.bold or _style_bold(paragraph))
    total = sum(len(r.text) for r in runs) or 1
    for piece in raw.replace("\v", "\n").split("\n"):
        text = clean_text(piece.replace("\t", "  "))
        if not text:
            continue
        parts = [clean_text(p) for p in re.split(r"\t+", piece) if clean_text(p)]
        segments = tuple(Segment(p, float(i), float(i)) for i, p in enumerate(parts))
        bullet = numbered or "list" in style.lower() or "bullet" in style.lower()
        if text[0] in BULLET_CHARS and len(text) > 2 and text[1] == " ":
            bullet = True
        yield Line(
            text=" ".join(parts) if parts else text,
            segments=segments,
            size=size,
            bold=bold_chars >= 0.6 * total,
            bullet=bullet,
            style=style,
        )


def _style_size(paragraph: Any) -> float:
    style = paragraph.style
    while style is not None:
        if style.font is not None and style.font.size is not None:
            return float(style.font.size.pt)
        style = style.base_style
    return 0.0


def _style_bold(paragraph: Any) -> bool:
    style = paragraph.style
    while style is not None:
        if style.font is not None and style.font.bold is not None:
            return bool(style.font.bold)
        style = style.base_style
    return False


def _docx_links(document: Any) -> list[str]:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    links = [
        str(rel.target_ref)
        for rel in document.part.rels.values()
        if rel.reltype == RT.HYPERLINK and rel.is_external
    ]
    return _unique(links)
