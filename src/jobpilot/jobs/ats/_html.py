"""A small, tolerant HTML DOM built on html.parser, for the adapters that scrape career pages."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

from jobpilot.jobs.ats._util import clean

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


_FORM_INPUT_TYPES = frozenset({"file", "email", "tel"})


def has_application_form(root: Node) -> bool:
    """Whether the page holds a form asking for a candidate's file, email or phone."""
    for form in root.find_all("form"):
        for node in form.find_all("input"):
            if (node.get("type") or "text").lower() in _FORM_INPUT_TYPES:
                return True
    return False


def self_urls(root: Node) -> list[str]:
    """The URLs a page gives for itself: `link[rel=canonical]`, then `og:url`."""
    urls = [
        link.get("href") or ""
        for link in root.find_all("link")
        if "canonical" in (link.get("rel") or "").lower().split()
    ]
    urls += [meta.get("content") or "" for meta in root.find_all("meta", property="og:url")]
    return [url for url in urls if url]


def parse_html(text: str) -> Node:
    """The document tree of an HTML page or fragment (tolerant of unclosed tags)."""
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root
