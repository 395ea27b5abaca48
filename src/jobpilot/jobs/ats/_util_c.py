"""Small helpers shared by the HTML-scraping adapters: a tiny DOM, dates, text and URLs."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import SplitResult, parse_qs, urlsplit

VOID_TAGS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    }
)
# An open element of the same kind closes when the next one starts (`<li>a<li>b`).
_SELF_CLOSING_SIBLINGS = {
    "li": {"li"},
    "tr": {"tr", "td", "th"},
    "td": {"td", "th"},
    "th": {"td", "th"},
    "option": {"option"},
    "dt": {"dt", "dd"},
    "dd": {"dt", "dd"},
    "p": {"p"},
}
_RAW_TEXT_TAGS = frozenset({"script", "style"})
_SPACES = re.compile(r"\s+")


@dataclass(eq=False)
class Node:
    """One HTML element with its attributes and children (elements or text)."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = None

    def get(self, name: str, default: str | None = None) -> str | None:
        """An attribute's value."""
        return self.attrs.get(name, default)

    @property
    def classes(self) -> set[str]:
        """The element's CSS classes."""
        return set((self.attrs.get("class") or "").split())

    def iter(self) -> Iterator[Node]:
        """Every descendant element, in document order."""
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(
        self,
        tag: str | None = None,
        *,
        cls: str | None = None,
        where: Callable[[Node], bool] | None = None,
        **attrs: str,
    ) -> list[Node]:
        """Descendants matching a tag, a class, exact attributes and a predicate."""
        found = []
        for node in self.iter():
            if tag is not None and node.tag != tag:
                continue
            if cls is not None and cls not in node.classes:
                continue
            if any(node.attrs.get(key.replace("_", "-")) != value for key, value in attrs.items()):
                continue
            if where is not None and not where(node):
                continue
            found.append(node)
        return found

    def find(
        self,
        tag: str | None = None,
        *,
        cls: str | None = None,
        where: Callable[[Node], bool] | None = None,
        **attrs: str,
    ) -> Node | None:
        """The first descendant matching, if any."""
        found = self.find_all(tag, cls=cls, where=where, **attrs)
        return found[0] if found else None

    def ancestor(self, tag: str) -> Node | None:
        """The nearest enclosing element with this tag."""
        node = self.parent
        while node is not None and node.tag != tag:
            node = node.parent
        return node

    def raw_text(self) -> str:
        """The text inside, unchanged (script bodies)."""
        parts: list[str] = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.raw_text())
        return "".join(parts)

    def text(self) -> str:
        """The visible text inside, whitespace collapsed (scripts and styles left out)."""
        return clean(self._text_parts())

    def _text_parts(self) -> str:
        parts: list[str] = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag not in _RAW_TEXT_TAGS:
                parts.append(" " if child.tag in {"br", "td", "th", "li", "p", "div"} else "")
                parts.append(child._text_parts())
        return "".join(parts)

    def inner_html(self) -> str:
        """The element's content serialised back to HTML."""
        return "".join(
            html.escape(child, quote=False) if isinstance(child, str) else child.outer_html()
            for child in self.children
        )

    def outer_html(self) -> str:
        """The element serialised back to HTML."""
        attrs = "".join(f' {key}="{html.escape(value)}"' for key, value in self.attrs.items())
        if self.tag in VOID_TAGS:
            return f"<{self.tag}{attrs}>"
        inner = self.raw_text() if self.tag in _RAW_TEXT_TAGS else self.inner_html()
        return f"<{self.tag}{attrs}>{inner}</{self.tag}>"


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.stack: list[Node] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        closes = _SELF_CLOSING_SIBLINGS.get(tag)
        if closes and self.stack[-1].tag in closes:
            self.stack.pop()
        node = Node(tag, {key: value or "" for key, value in attrs}, parent=self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID_TAGS:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {key: value or "" for key, value in attrs}, parent=self.stack[-1])
        self.stack[-1].children.append(node)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Node:
    """The document tree of an HTML page or fragment (tolerant of unclosed tags)."""
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def clean(value: object) -> str:
    """Text with runs of whitespace collapsed to one space, trimmed."""
    if value is None:
        return ""
    return _SPACES.sub(" ", str(value)).strip()


def clean_or_none(value: object) -> str | None:
    """Like `clean`, but None for empty text."""
    return clean(value) or None


_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d-%b-%Y",
    "%m/%d/%Y",
)


def parse_datetime(value: object) -> datetime | None:
    """A timezone-aware datetime from ISO text, common US date formats or epoch seconds/ms."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        return datetime.fromtimestamp(seconds, tz=UTC)
    text = clean(value)
    if not text:
        return None
    iso = text.replace("Z", "+00:00") if text.endswith("Z") else text
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        # Taleo Business Edition writes "2025-07-28 00:00:00.0".
        bare = re.sub(r"\.\d+$", "", text)
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(bare, fmt)  # noqa: DTZ007 - made aware below
                break
            except ValueError:
                continue
        else:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_number(value: object) -> float | None:
    """A float from a number or numeric text ("55,000.00", "$20"), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = re.sub(r"[^\d.\-]", "", str(value or ""))
    try:
        return float(text) if text else None
    except ValueError:
        return None


def split_url(url: str) -> SplitResult | None:
    """The parts of a URL (scheme assumed https when missing), or None if it is not one."""
    text = url.strip()
    if "://" not in text:
        text = f"https://{text}"
    try:
        parts = urlsplit(text)
        _ = parts.port
    except ValueError:
        return None
    return parts if parts.hostname else None


def host_of(url: str) -> str:
    """The lower-cased host name of a URL ('' when it has none)."""
    parts = split_url(url)
    return (parts.hostname or "").lower() if parts else ""


def path_parts(url: str) -> list[str]:
    """The non-empty path segments of a URL."""
    parts = split_url(url)
    return [part for part in parts.path.split("/") if part] if parts else []


def query_value(url: str, name: str) -> str | None:
    """The first value of one query parameter, if present and non-empty."""
    parts = split_url(url)
    if parts is None:
        return None
    values = parse_qs(parts.query).get(name)
    return values[0] if values and values[0] else None


def dedupe(values: list[str]) -> list[str]:
    """The values without repeats or blanks, first occurrence kept."""
    seen: dict[str, None] = {}
    for value in values:
        if value and value not in seen:
            seen[value] = None
    return list(seen)
