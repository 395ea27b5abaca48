"""A small PromQL reader for the metrics contract (no Prometheus needed).

`parse()` turns an expression into a tree; `Checker` walks it against a catalogue (series name ->
the label names it carries) and reports, in words, every metric nothing provides, every label a
selector, `by`/`without`, `on`/`ignoring` or `group_left`/`group_right` names that is not there,
and every one-to-one match whose two sides cannot share a series. It follows labels through the
expression the way Prometheus does (an aggregation keeps its `by` labels, `on(...)` one-to-one
keeps only those, `group_left(x)` adds `x`, `label_replace` adds its target, `histogram_quantile`
drops `le`), so it also knows what an expression outputs: the labels a recording rule provides, an
alert's `$labels`, a panel's `{{legend}}`.

Grafana's variables (`$service`, `${datasource}`, `$__rate_interval`) are read as values; ranges,
subqueries, `offset` and `@` are skipped. The reader is pragmatic: it knows the PromQL that rules
and dashboards are written in, not every corner of the grammar.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
RULES_DIR = REPO / "deploy" / "prometheus" / "rules"
DASHBOARDS_DIR = REPO / "deploy" / "grafana" / "dashboards"

AGGREGATIONS = frozenset(
    {
        "sum",
        "min",
        "max",
        "avg",
        "group",
        "stddev",
        "stdvar",
        "count",
        "count_values",
        "bottomk",
        "topk",
        "quantile",
        "limitk",
        "limit_ratio",
    }
)
_PARAM_AGGREGATIONS = frozenset(
    {"count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio"}
)
# These pick series and keep their labels; `by` only chooses the groups they pick within.
_SELECTING_AGGREGATIONS = frozenset({"bottomk", "topk", "limitk", "limit_ratio"})

_FUNCTION_NAMES = """
    abs absent absent_over_time acos acosh asin asinh atan atanh avg_over_time ceil changes
    clamp clamp_max clamp_min cos cosh count_over_time days_in_month day_of_month day_of_week
    day_of_year deg delta deriv double_exponential_smoothing exp floor histogram_avg
    histogram_count histogram_fraction histogram_quantile histogram_stddev histogram_stdvar
    histogram_sum holt_winters hour idelta increase irate label_join label_replace last_over_time
    ln log10 log2 mad_over_time max_over_time min_over_time minute month pi predict_linear
    present_over_time quantile_over_time rad rate resets round scalar sgn sin sinh sort sort_desc
    sort_by_label sort_by_label_desc sqrt stddev_over_time stdvar_over_time sum_over_time tan tanh
    time timestamp vector year"""
FUNCTIONS = frozenset(_FUNCTION_NAMES.split())
_SCALAR_FUNCTIONS = frozenset({"scalar", "time", "pi"})
# Called without an argument they read the evaluation time: a vector with no labels.
_CLOCK_FUNCTIONS = frozenset(
    {
        "days_in_month",
        "day_of_month",
        "day_of_week",
        "day_of_year",
        "hour",
        "minute",
        "month",
        "year",
    }
)

_PRECEDENCE = {
    "or": 1,
    "and": 2,
    "unless": 2,
    "==": 3,
    "!=": 3,
    "<=": 3,
    "<": 3,
    ">=": 3,
    ">": 3,
    "+": 4,
    "-": 4,
    "*": 5,
    "/": 5,
    "%": 5,
    "atan2": 5,
    "^": 6,
}
_SET_OPERATORS = frozenset({"and", "or", "unless"})
_WORD_OPERATORS = frozenset({"and", "or", "unless", "atan2"})

_TOKEN = re.compile(
    r"""
    (?P<space>\s+|\#[^\n]*)
    |(?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
    |(?P<range>\[[^\]]*\])
    |(?P<var>\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*)
    |(?P<number>0[xX][0-9a-fA-F]+
        |(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?:(?:ms|[smhdwy])(?:\d+(?:ms|[smhdwy]))*)?)
    |(?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)
    |(?P<op>==|!=|>=|<=|=~|!~|[-+*/%^<>=@])
    |(?P<punct>[(){},])
    """,
    re.VERBOSE,
)


class PromQLSyntaxError(ValueError):
    """The expression is not PromQL this reader understands."""


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    pos: int


def tokenize(text: str) -> list[Token]:
    """The tokens of `text` (whitespace and comments dropped), ending with an `end` token."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            msg = f"unexpected {text[pos]!r} at {pos}"
            raise PromQLSyntaxError(msg)
        kind = match.lastgroup
        assert kind is not None
        if kind != "space":
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


# ---------------------------------------------------------------------------------------------
# The tree


@dataclass(frozen=True)
class Selector:
    name: str | None
    matchers: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class Literal:
    kind: str  # "scalar" or "string"
    value: str


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Aggregate:
    op: str
    grouping: str | None  # "by", "without" or None
    labels: tuple[str, ...]
    param: Node | None
    expr: Node


@dataclass(frozen=True)
class Binary:
    op: str
    lhs: Node
    rhs: Node
    matching: str | None = None  # "on", "ignoring" or None
    match_labels: tuple[str, ...] = ()
    group: str | None = None  # "left", "right" or None
    include: tuple[str, ...] = ()


@dataclass(frozen=True)
class Unary:
    expr: Node


Node = Selector | Literal | Call | Aggregate | Binary | Unary


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i = min(self.i + 1, len(self.tokens) - 1)
        return token

    def fail(self, what: str) -> PromQLSyntaxError:
        token = self.peek()
        found = token.text or "the end"
        return PromQLSyntaxError(f"expected {what} at {token.pos}, found {found!r}")

    def expect(self, text: str) -> None:
        if self.peek().text != text:
            raise self.fail(repr(text))
        self.take()

    def is_word(self, token: Token, *words: str) -> bool:
        return token.kind == "ident" and token.text.lower() in words

    def parse(self) -> Node:
        node = self.expression(0)
        if self.peek().kind != "end":
            raise self.fail("an operator or the end")
        return node

    def binary_operator(self) -> str | None:
        token = self.peek()
        if token.kind == "op" and token.text in _PRECEDENCE:
            return token.text
        if token.kind == "ident" and token.text.lower() in _WORD_OPERATORS:
            return token.text.lower()
        return None

    def expression(self, min_precedence: int) -> Node:
        lhs = self.unary()
        while True:
            op = self.binary_operator()
            if op is None or _PRECEDENCE[op] < min_precedence:
                return lhs
            self.take()
            if self.is_word(self.peek(), "bool"):
                self.take()
            matching: str | None = None
            match_labels: tuple[str, ...] = ()
            group: str | None = None
            include: tuple[str, ...] = ()
            if self.is_word(self.peek(), "on", "ignoring"):
                matching = self.take().text.lower()
                match_labels = self.label_list()
            if self.is_word(self.peek(), "group_left", "group_right"):
                group = self.take().text.lower().removeprefix("group_")
                if self.peek().text == "(":
                    include = self.label_list()
            # `^` is right-associative; the others are left-associative.
            precedence = _PRECEDENCE[op]
            rhs = self.expression(precedence if op == "^" else precedence + 1)
            lhs = Binary(op, lhs, rhs, matching, match_labels, group, include)

    def unary(self) -> Node:
        token = self.peek()
        if token.kind == "op" and token.text in {"-", "+"}:
            self.take()
            return Unary(self.expression(_PRECEDENCE["^"]))
        return self.postfix(self.primary())

    def postfix(self, node: Node) -> Node:
        while True:
            token = self.peek()
            if token.kind == "range":  # [5m], [$__rate_interval], [1h:5m]
                self.take()
            elif self.is_word(token, "offset"):
                self.take()
                if self.peek().text == "-":
                    self.take()
                if self.peek().kind not in {"number", "var"}:
                    raise self.fail("a duration after offset")
                self.take()
            elif token.kind == "op" and token.text == "@":
                self.take()
                if self.is_word(self.peek(), "start", "end"):
                    self.take()
                    self.expect("(")
                    self.expect(")")
                elif self.peek().kind in {"number", "var"}:
                    self.take()
                else:
                    raise self.fail("a time after @")
            else:
                return node

    def primary(self) -> Node:
        token = self.peek()
        if token.text == "(" and token.kind == "punct":
            self.take()
            node = self.expression(0)
            self.expect(")")
            return node
        if token.kind in {"number", "var"}:
            self.take()
            return Literal("scalar", token.text)
        if token.kind == "string":
            self.take()
            return Literal("string", token.text[1:-1])
        if token.text == "{":
            return self.selector(None)
        if token.kind != "ident":
            raise self.fail("an expression")
        word = token.text.lower()
        following = self.peek(1)
        if word in AGGREGATIONS and (
            following.text == "(" or self.is_word(following, "by", "without")
        ):
            return self.aggregate()
        if following.text == "(" and following.kind == "punct":
            self.take()
            return Call(token.text, self.arguments())
        if word in {"inf", "nan"}:
            self.take()
            return Literal("scalar", token.text)
        self.take()
        return self.selector(token.text)

    def selector(self, name: str | None) -> Selector:
        matchers: list[tuple[str, str, str]] = []
        if self.peek().text == "{":
            self.take()
            while self.peek().text != "}":
                label = self.take()
                if label.kind not in {"ident", "string"}:
                    raise self.fail("a label name")
                op = self.take()
                if op.text not in {"=", "!=", "=~", "!~"}:
                    raise self.fail("=, !=, =~ or !~")
                value = self.take()
                if value.kind not in {"string", "var"}:
                    raise self.fail("a quoted label value")
                label_name = label.text.strip("\"'`")
                matchers.append((label_name, op.text, value.text.strip("\"'`")))
                if self.peek().text == ",":
                    self.take()
                elif self.peek().text != "}":
                    raise self.fail("',' or '}'")
            self.take()
        if name is None:
            for key, operator, wanted in matchers:
                if key == "__name__" and operator == "=":
                    name = wanted
        if name is None and not matchers:
            raise self.fail("a metric name or a label matcher")
        return Selector(name, tuple(matchers))

    def label_list(self) -> tuple[str, ...]:
        self.expect("(")
        labels: list[str] = []
        while self.peek().text != ")":
            token = self.take()
            if token.kind not in {"ident", "string"}:
                raise self.fail("a label name")
            labels.append(token.text.strip("\"'`"))
            if self.peek().text == ",":
                self.take()
            elif self.peek().text != ")":
                raise self.fail("',' or ')'")
        self.take()
        return tuple(labels)

    def arguments(self) -> tuple[Node, ...]:
        self.expect("(")
        args: list[Node] = []
        while self.peek().text != ")":
            args.append(self.expression(0))
            if self.peek().text == ",":
                self.take()
            elif self.peek().text != ")":
                raise self.fail("',' or ')'")
        self.take()
        return tuple(args)

    def aggregate(self) -> Aggregate:
        op = self.take().text.lower()
        grouping: str | None = None
        labels: tuple[str, ...] = ()
        if self.is_word(self.peek(), "by", "without"):
            grouping = self.take().text.lower()
            labels = self.label_list()
        args = self.arguments()
        if self.is_word(self.peek(), "by", "without"):
            if grouping is not None:
                raise self.fail("one grouping clause")
            grouping = self.take().text.lower()
            labels = self.label_list()
        wanted = 2 if op in _PARAM_AGGREGATIONS else 1
        if len(args) != wanted:
            msg = f"{op} takes {wanted} argument(s), got {len(args)}"
            raise PromQLSyntaxError(msg)
        param = args[0] if wanted == 2 else None
        return Aggregate(op, grouping, labels, param, args[-1])


def parse(text: str) -> Node:
    """The tree of a PromQL expression (raises PromQLSyntaxError)."""
    return _Parser(text).parse()


def selectors(node: Node) -> Iterator[Selector]:
    """Every selector in the tree, in order."""
    if isinstance(node, Selector):
        yield node
    elif isinstance(node, Call):
        for arg in node.args:
            yield from selectors(arg)
    elif isinstance(node, Aggregate):
        if node.param is not None:
            yield from selectors(node.param)
        yield from selectors(node.expr)
    elif isinstance(node, Binary):
        yield from selectors(node.lhs)
        yield from selectors(node.rhs)
    elif isinstance(node, Unary):
        yield from selectors(node.expr)


def metric_names(text: str) -> set[str]:
    """The metric names an expression reads."""
    return {s.name for s in selectors(parse(text)) if s.name}


# ---------------------------------------------------------------------------------------------
# The check


@dataclass(frozen=True)
class Value:
    """What a sub-expression evaluates to: its type and (when known) its label names."""

    kind: str  # "vector", "scalar" or "string"
    labels: frozenset[str] | None = None  # None: unknown (a problem was reported already)
    metrics: frozenset[str] = frozenset()

    def describe(self) -> str:
        return ", ".join(sorted(self.metrics)) or "the expression"


_SCALAR = Value("scalar")


@dataclass
class Checker:
    """Checks expressions against `catalogue`: series name -> the label names it carries."""

    catalogue: Mapping[str, frozenset[str]]
    problems: list[str] = field(default_factory=list)

    def check(self, text: str) -> list[str]:
        """Every problem of one expression, in words (empty when it is sound)."""
        self.problems = []
        try:
            self.evaluate(parse(text))
        except PromQLSyntaxError as exc:
            self.problems.append(f"cannot read the expression: {exc}")
        return list(self.problems)

    def output_labels(self, text: str) -> frozenset[str] | None:
        """The label names of the series an expression returns (None when unknown)."""
        self.problems = []
        value = self.evaluate(parse(text))
        return value.labels if value.kind == "vector" else frozenset()

    def report(self, message: str) -> None:
        if message not in self.problems:
            self.problems.append(message)

    def evaluate(self, node: Node) -> Value:
        if isinstance(node, Literal):
            return _SCALAR if node.kind == "scalar" else Value("string")
        if isinstance(node, Unary):
            return self.evaluate(node.expr)
        if isinstance(node, Selector):
            return self.selector(node)
        if isinstance(node, Aggregate):
            return self.aggregate(node)
        if isinstance(node, Call):
            return self.call(node)
        return self.binary(node)

    def selector(self, node: Selector) -> Value:
        if node.name is None:
            # {__name__=~"..."}: the names are a pattern, so nothing can be checked.
            return Value("vector", None)
        names = frozenset({node.name})
        labels = self.catalogue.get(node.name)
        if labels is None:
            self.report(f"metric {node.name!r}: nothing provides it")
            return Value("vector", None, names)
        for label, op, value in node.matchers:
            # `label=""` selects the series without the label: it asks nothing of the metric.
            if label == "__name__" or (op == "=" and value == ""):
                continue
            if label not in labels:
                self.report(
                    f"metric {node.name!r} has no label {label!r} "
                    f"(it has: {', '.join(sorted(labels)) or 'none'})"
                )
        return Value("vector", labels | {"__name__"}, names)

    def need(self, value: Value, labels: Iterable[str], where: str) -> None:
        if value.labels is None:
            return
        for label in labels:
            if label not in value.labels:
                self.report(
                    f"{where}: label {label!r} is not on {value.describe()} "
                    f"(it has: {', '.join(sorted(value.labels - {'__name__'})) or 'none'})"
                )

    def aggregate(self, node: Aggregate) -> Value:
        if node.param is not None:
            self.evaluate(node.param)
        inner = self.evaluate(node.expr)
        if inner.kind != "vector":
            self.report(f"{node.op}(...) needs a vector, not a {inner.kind}")
            return Value("vector", None)
        clause = f"{node.op} {node.grouping} ({', '.join(node.labels)})"
        self.need(inner, node.labels, clause)
        extra: set[str] = set()
        if node.op == "count_values" and isinstance(node.param, Literal):
            extra.add(node.param.value)
        if inner.labels is None:
            return Value("vector", None, inner.metrics)
        if node.op in _SELECTING_AGGREGATIONS:
            labels = inner.labels
        elif node.grouping == "by":
            labels = frozenset(node.labels)
        elif node.grouping == "without":
            labels = inner.labels - set(node.labels) - {"__name__"}
        else:
            labels = frozenset()
        return Value("vector", labels | extra, inner.metrics)

    def call(self, node: Call) -> Value:
        func = node.func
        args = [self.evaluate(arg) for arg in node.args]
        if func not in FUNCTIONS:
            self.report(f"unknown function {func}()")
            return Value("vector", None)
        if func in _SCALAR_FUNCTIONS:
            return _SCALAR
        if func == "vector":
            return Value("vector", frozenset())
        vectors = [a for a in args if a.kind == "vector"]
        if not vectors:
            if func in _CLOCK_FUNCTIONS and not args:
                return Value("vector", frozenset())
            self.report(f"{func}() needs a vector argument")
            return Value("vector", None)
        value = vectors[0]
        strings = [
            arg.value for arg in node.args if isinstance(arg, Literal) and arg.kind == "string"
        ]
        if func in {"label_replace", "label_join"}:
            # label_replace(v, dst, replacement, src, regex); label_join(v, dst, sep, src...)
            sources = strings[2:3] if func == "label_replace" else strings[2:]
            self.need(value, [s for s in sources if s], f"{func}()")
            if value.labels is None or not strings:
                return value
            return Value("vector", value.labels | {strings[0]}, value.metrics)
        if func == "histogram_quantile":
            self.need(value, ["le"], "histogram_quantile()")
            if value.labels is None:
                return value
            return Value("vector", value.labels - {"le", "__name__"}, value.metrics)
        if func in {"absent", "absent_over_time"}:
            # The one series it returns carries the equality matchers of its selector.
            arg = node.args[0] if node.args else None
            kept = (
                frozenset(lab for lab, op, _v in arg.matchers if op == "=" and lab != "__name__")
                if isinstance(arg, Selector)
                else frozenset()
            )
            return Value("vector", kept, value.metrics)
        if value.labels is None:
            return value
        # Every other function keeps the labels (most drop the metric name).
        return Value("vector", value.labels - {"__name__"}, value.metrics)

    def binary(self, node: Binary) -> Value:
        lhs = self.evaluate(node.lhs)
        rhs = self.evaluate(node.rhs)
        op = node.op
        if lhs.kind != "vector" or rhs.kind != "vector":
            if node.matching or node.group:
                self.report(f"'{op}' with on/ignoring/group_*: both sides must be vectors")
            if op in _SET_OPERATORS:
                self.report(f"'{op}' needs vectors on both sides")
            return lhs if lhs.kind == "vector" else rhs if rhs.kind == "vector" else _SCALAR
        metrics = lhs.metrics | rhs.metrics
        clause = f"'{op}'"
        if node.matching:
            clause = f"'{op} {node.matching}({', '.join(node.match_labels)})'"
        if node.matching == "on":
            self.need(lhs, node.match_labels, f"{clause}, left side")
            self.need(rhs, node.match_labels, f"{clause}, right side")
        elif node.matching == "ignoring" and lhs.labels is not None and rhs.labels is not None:
            for label in node.match_labels:
                if label not in lhs.labels and label not in rhs.labels:
                    self.report(f"{clause}: label {label!r} is on neither side")
        if node.group:
            many, one = (lhs, rhs) if node.group == "left" else (rhs, lhs)
            self.need(one, node.include, f"{clause} group_{node.group}")
            if many.labels is None:
                return Value("vector", None, metrics)
            return Value("vector", many.labels | set(node.include), metrics)
        if lhs.labels is None or rhs.labels is None:
            return Value("vector", None, metrics)
        if op == "or":
            return Value("vector", lhs.labels | rhs.labels, metrics)
        if node.matching != "on":
            ignored = set(node.match_labels) | {"__name__"}
            left, right = lhs.labels - ignored, rhs.labels - ignored
            if left != right:
                self.report(
                    f"{clause} matches series on all their labels, but the left side "
                    f"({lhs.describe()}) has [{', '.join(sorted(left))}] and the right side "
                    f"({rhs.describe()}) has [{', '.join(sorted(right))}]: no series can match "
                    "(aggregate both sides alike, or use on(...))"
                )
        if op in _SET_OPERATORS:
            return lhs
        if node.matching == "on":
            return Value("vector", frozenset(node.match_labels), metrics)
        return Value("vector", lhs.labels - set(node.match_labels) - {"__name__"}, metrics)


# ---------------------------------------------------------------------------------------------
# Where the queries are: rule files and dashboards


@dataclass(frozen=True)
class Rule:
    """One alerting or recording rule of a rule file."""

    file: str
    group: str
    name: str  # the alert's name or the recorded series' name
    kind: str  # "alert" or "record"
    expr: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]


def rule_files(directory: Path = RULES_DIR) -> list[Path]:
    """The Prometheus rule files in `directory`."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix in {".yml", ".yaml"})


def load_rules(files: Iterable[Path]) -> list[Rule]:
    """Every rule of `files` (standard rule files: `groups:` of `rules:`)."""
    rules: list[Rule] = []
    for path in files:
        document = yaml.safe_load(path.read_text()) or {}
        for group in document.get("groups") or []:
            for rule in group.get("rules") or []:
                kind = "alert" if "alert" in rule else "record"
                rules.append(
                    Rule(
                        file=path.name,
                        group=str(group.get("name")),
                        name=str(rule.get(kind)),
                        kind=kind,
                        expr=str(rule.get("expr", "")),
                        labels=dict(rule.get("labels") or {}),
                        annotations=dict(rule.get("annotations") or {}),
                    )
                )
    return rules


def recorded_series(
    rules: Iterable[Rule], catalogue: Mapping[str, frozenset[str]]
) -> dict[str, frozenset[str]]:
    """The series recording rules provide, with the labels their expressions keep.

    Recording rules may read each other, in any order: evaluate until nothing new appears.
    """
    recording = [r for r in rules if r.kind == "record"]
    known = dict(catalogue)
    recorded: dict[str, frozenset[str]] = {}
    for _ in range(len(recording) + 1):
        changed = False
        for rule in recording:
            try:
                labels = Checker(known).output_labels(rule.expr)
            except PromQLSyntaxError:
                continue
            if labels is None:
                continue
            labels = labels - {"__name__"} | set(rule.labels)
            if recorded.get(rule.name) != labels:
                recorded[rule.name] = known[rule.name] = labels
                changed = True
        if not changed:
            break
    return recorded


_TEMPLATE_LABEL = re.compile(
    r"\$labels\.([A-Za-z_][A-Za-z0-9_]*)|\.Labels\.([A-Za-z_][A-Za-z0-9_]*)"
)
_LEGEND_LABEL = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def template_labels(text: str) -> set[str]:
    """The labels an alert annotation's template reads (`$labels.x`, `.Labels.x`)."""
    return {a or b for a, b in _TEMPLATE_LABEL.findall(text)}


def legend_labels(text: str) -> set[str]:
    """The labels a Grafana legend format reads (`{{service}}`)."""
    return set(_LEGEND_LABEL.findall(text))


@dataclass(frozen=True)
class PanelQuery:
    """One query of a dashboard panel."""

    dashboard: str
    panel: str
    ref: str
    expr: str
    legend: str

    @property
    def where(self) -> str:
        return f"{self.dashboard} / {self.panel!r} / {self.ref}"


def dashboard_files(directory: Path = DASHBOARDS_DIR) -> list[Path]:
    """The dashboard JSON files."""
    return sorted(directory.glob("*.json")) if directory.is_dir() else []


def all_panels(panels: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    """Every panel, including those folded inside collapsed rows."""
    for panel in panels:
        yield panel
        yield from all_panels(panel.get("panels") or [])


def panel_queries(path: Path) -> list[PanelQuery]:
    """Every target of every panel of one dashboard."""
    dashboard = json.loads(path.read_text())
    queries: list[PanelQuery] = []
    for panel in all_panels(dashboard.get("panels") or []):
        for target in panel.get("targets") or []:
            queries.append(
                PanelQuery(
                    dashboard=path.name,
                    panel=str(panel.get("title")),
                    ref=str(target.get("refId")),
                    expr=str(target.get("expr", "")),
                    legend=str(target.get("legendFormat", "")),
                )
            )
    return queries


@dataclass(frozen=True)
class VariableQuery:
    """One Prometheus query variable of a dashboard."""

    dashboard: str
    name: str
    query: str


def variable_queries(path: Path) -> list[VariableQuery]:
    """The Prometheus query variables of one dashboard."""
    dashboard = json.loads(path.read_text())
    found: list[VariableQuery] = []
    for variable in (dashboard.get("templating") or {}).get("list") or []:
        if variable.get("type") != "query":
            continue
        query = variable.get("query")
        text = query.get("query") if isinstance(query, dict) else query
        found.append(VariableQuery(path.name, str(variable.get("name")), str(text or "")))
    return found


_LABEL_VALUES = re.compile(
    r"^\s*label_values\(\s*(?P<selector>.+?)\s*,\s*(?P<label>\w+)\s*\)\s*$", re.S
)
_QUERY_RESULT = re.compile(r"^\s*query_result\((?P<expr>.+)\)\s*$", re.S)


def variable_expression(query: str) -> str | None:
    """The PromQL inside a Grafana variable query: the selector of `label_values(selector,
    label)` or the expression of `query_result(expr)`; None for anything else."""
    match = _LABEL_VALUES.match(query)
    if match:
        return match.group("selector")
    match = _QUERY_RESULT.match(query)
    return match.group("expr") if match else None


def check_variable_query(checker: Checker, query: str) -> list[str]:
    """Problems of a Grafana Prometheus variable query (`label_values(selector, label)` or
    `query_result(expr)`)."""
    expr = variable_expression(query)
    if expr is None:
        return [f"unsupported variable query {query!r} (use label_values or query_result)"]
    problems = checker.check(expr)
    match = _LABEL_VALUES.match(query)
    if match and not problems:
        label = match.group("label")
        labels = checker.output_labels(expr)
        if labels is not None and label not in labels:
            problems.append(f"label_values(): {label!r} is not on {expr}")
    return problems
