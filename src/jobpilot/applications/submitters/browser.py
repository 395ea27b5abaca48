"""The browser submitter: fills an ATS's hosted application form in headless Chromium.

One class serves every ATS; a `SiteProfile` carries what differs. For each application it opens
a fresh browser context, reads what the page actually renders (walls first: captcha, sign-in,
email code; then the fields), matches each field to the approved answers, contact details and
files, and stops before sending whenever a required field has no answer. It never solves a
captcha: the user gets the page's real URL to finish by hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, cast

from jobpilot.applications.submitters import _page_js
from jobpilot.applications.submitters.base import (
    Answer,
    Attachment,
    Evidence,
    OutcomeReason,
    PointOfNoReturn,
    SubmissionOutcome,
    SubmissionRequest,
)
from jobpilot.applications.submitters.sites import SiteProfile
from jobpilot.kit.ports import BrowserPool

if TYPE_CHECKING:
    from playwright.async_api import Locator, Page

Rewrite = Callable[[str], str]
Wall = Literal["captcha", "login_required", "email_code"]

_TRUE = frozenset({"yes", "true", "1", "on", "checked", "y", "agree", "i agree"})
_RESUME = re.compile(r"resume|r[ée]sum[ée]|\bcv\b", re.I)
_COVER = re.compile(r"cover[\s_-]*letter", re.I)
# Contact details by the field's key or label, when no answer names the field.
_CONTACT: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("first_name", re.compile(r"^(?:legal[\s_-]+)?first[\s_-]*name|^given[\s_-]*name", re.I)),
    ("last_name", re.compile(
        r"^(?:legal[\s_-]+)?(?:last[\s_-]*name|surname|family[\s_-]*name)", re.I)),
    ("name", re.compile(r"^(?:full[\s_-]*|legal[\s_-]*|your[\s_-]*)?name$", re.I)),
    ("email", re.compile(r"^e-?mail(?:[\s_-]*address)?$", re.I)),
    ("phone", re.compile(r"^(?:phone|mobile|telephone)(?:[\s_-]*(?:number))?$", re.I)),
    ("linkedin", re.compile(r"linkedin", re.I)),
    ("github", re.compile(r"github", re.I)),
    ("portfolio", re.compile(r"^(?:website|portfolio|personal[\s_-]*(?:site|website))", re.I)),
    ("city", re.compile(r"^(?:city|location(?:\s*\(city\))?|current[\s_-]*location)$", re.I)),
)  # fmt: skip
_AUTOCOMPLETE = {
    "given-name": "first_name",
    "family-name": "last_name",
    "name": "name",
    "email": "email",
    "tel": "phone",
    "tel-national": "phone",
    "address-level2": "city",
}
_BRACKETS = re.compile(r"\[([^\]]*)\]")


@dataclass
class _Field:
    """One rendered field (a radio or checkbox group counts as one)."""

    kind: str
    ref: str
    name: str
    id: str
    label: str
    required: bool
    options: list[str]
    option_refs: list[str]
    input_type: str
    autocomplete: str

    @property
    def key(self) -> str:
        return self.name or self.id


@dataclass
class _Stop:
    """Why filling stopped before anything was sent."""

    reason: OutcomeReason
    detail: str


@dataclass
class _Run:
    request: SubmissionRequest
    evidence: Evidence = field(default_factory=Evidence)
    done: set[str] = field(default_factory=set)


def key_forms(key: str) -> set[str]:
    """The spellings a form may give one key: `question_1[]`, `job_application[email]`."""
    key = key.strip()
    if not key:
        return set()
    base = key.removesuffix("[]")
    forms = {key, base}
    parts = _BRACKETS.findall(base)
    # `prefix[name]` is also spelled `name`; deeper paths are not (`cards[A][field0]`,
    # `candidate[answers_attributes][4][boolean]`): their last part is shared by siblings.
    if len(parts) == 1 and parts[0] and not parts[0].isdigit():
        forms.add(parts[0])
    # Fabric/Formik forms name a box after its field object's value: `state.value`.
    if base.endswith(".value"):
        forms.add(base.removesuffix(".value"))
    return {f.lower() for f in forms if f}


def norm_label(label: str) -> str:
    """A label compared loosely: case, spacing, asterisks and trailing punctuation ignored."""
    text = re.sub(r"[*\u2731]", "", label)
    text = re.sub(r"\s+", " ", text).strip().lower()
    return text.rstrip(" ?:.")


class _Answers:
    """The request's answers, found by a field's key, a spelling of it, or its label."""

    def __init__(self, answers: tuple[Answer, ...]) -> None:
        self.by_key = {a.key: a for a in answers}
        self.by_form: dict[str, Answer | None] = {}
        self.by_label: dict[str, Answer | None] = {}
        for answer in answers:
            for form in key_forms(answer.key):
                # A spelling two answers share names neither.
                self.by_form[form] = None if form in self.by_form else answer
            label = norm_label(answer.label)
            if label:
                self.by_label[label] = None if label in self.by_label else answer

    def find(self, f: _Field) -> Answer | None:
        for key in (f.name, f.id):
            if key and key in self.by_key:
                return self.by_key[key]
        for key in (f.name, f.id):
            for form in key_forms(key):
                if found := self.by_form.get(form):
                    return found
        return self.by_label.get(norm_label(f.label)) if f.label else None

    def mentions(self, f: _Field) -> bool:
        """Whether the approved answers know this field at all (even without a value)."""
        keys = key_forms(f.name) | key_forms(f.id)
        return any(k in self.by_form for k in keys) or norm_label(f.label) in self.by_label


def _contact_kind(f: _Field) -> str | None:
    if f.autocomplete in _AUTOCOMPLETE:
        return _AUTOCOMPLETE[f.autocomplete]
    if f.input_type == "email":
        return "email"
    if f.input_type == "tel":
        return "phone"
    texts = [*key_forms(f.name), *key_forms(f.id), f.label]
    for kind, pattern in _CONTACT:
        if any(pattern.search(t.strip()) for t in texts if t):
            return kind
    return None


def _attachment_kind(f: _Field) -> Literal["resume", "cover_letter"] | None:
    texts = [f.name, f.id, f.label]
    if any(_COVER.search(t) for t in texts):
        return "cover_letter"
    if any(_RESUME.search(t) for t in texts):
        return "resume"
    return None


def _empty(value: object) -> bool:
    return value is None or value in ("", [])


_PLACE_QUESTION = re.compile(r"\b(?:where|locat\w*|based|city|town)\b", re.I)


def _pick(options: list[str], wanted: str, *, loose: bool = False) -> int | None:
    """The option whose label is `wanted` (trimmed, any case); loosely, the only one
    starting with or containing it (place search boxes)."""
    target = " ".join(wanted.split()).lower()
    labels = [" ".join(o.split()).lower() for o in options]
    if target in labels:
        return labels.index(target)
    if loose and target:
        whole_word = re.compile(rf"^{re.escape(target)}\b")

        def starts_as_word(label: str, text: str) -> bool:
            return bool(whole_word.match(label))

        # "London" is "London, England" before it is "Londonderry".
        for test in (starts_as_word, str.startswith, str.__contains__):
            hits = [i for i, label in enumerate(labels) if test(label, target)]
            if hits:
                return hits[0]
    return None


def _inverse(rewrite: Rewrite | None) -> Rewrite:
    """The real URL behind a rewritten one (the `<base>/<host>/<path>` convention)."""
    if rewrite is None:
        return lambda url: url
    probe = rewrite("https://probe.invalid/p")
    suffix = "/probe.invalid/p"
    if not probe.endswith(suffix):
        return lambda url: url
    base = probe[: -len(suffix)]

    def unrewrite(url: str) -> str:
        if url.startswith(base + "/"):
            return "https://" + url[len(base) + 1 :]
        return url

    return unrewrite


class BrowserSubmitter:
    """Submits through the ATS's hosted form in a real browser, as `profile` describes it."""

    channel = "browser"

    def __init__(
        self,
        profile: SiteProfile,
        pool: BrowserPool,
        *,
        rewrite: Rewrite | None = None,
        navigation_timeout: float = 30.0,
        action_timeout: float = 10.0,
        form_timeout: float = 10.0,
        confirmation_timeout: float = 20.0,
        settle_seconds: float = 1.5,
        max_steps: int = 10,
    ) -> None:
        self.ats = profile.ats
        self.profile = profile
        self.pool = pool
        self.rewrite: Rewrite = rewrite or (lambda url: url)
        self.unrewrite = _inverse(rewrite)
        self.navigation_timeout = navigation_timeout
        self.action_timeout = action_timeout
        self.form_timeout = form_timeout
        self.confirmation_timeout = confirmation_timeout
        # How long after a click an unchanged page is taken as the answer (single-page apps).
        self.settle_seconds = settle_seconds
        self.max_steps = max_steps

    # -- the port ------------------------------------------------------------------------

    async def submit(
        self, request: SubmissionRequest, point_of_no_return: PointOfNoReturn
    ) -> SubmissionOutcome:
        """Fill and send the hosted form once, or stop before sending and say why."""
        async with self.pool.context() as page:
            page.set_default_timeout(self.action_timeout * 1000)
            page.set_default_navigation_timeout(self.navigation_timeout * 1000)
            return await self._submit(page, request, point_of_no_return)

    async def resume(
        self, request: SubmissionRequest, point_of_no_return: PointOfNoReturn
    ) -> SubmissionOutcome:
        """Type `request.email_code` into the parked email-code step and send it."""
        state = request.resume_state or {}
        url, storage = state.get("url"), state.get("storage_state")
        if not isinstance(url, str) or not request.email_code:
            return SubmissionOutcome(
                status="failed", reason="error", detail="Nothing to resume: no code or state."
            )
        async with self.pool.context(storage_state=storage) as page:
            page.set_default_timeout(self.action_timeout * 1000)
            page.set_default_navigation_timeout(self.navigation_timeout * 1000)
            return await self._resume(page, request, url, point_of_no_return)

    # -- submitting ----------------------------------------------------------------------

    async def _submit(
        self, page: Page, request: SubmissionRequest, point_of_no_return: PointOfNoReturn
    ) -> SubmissionOutcome:
        run = _Run(request)
        response = await page.goto(self.rewrite(self.profile.form_url(request.apply_url)))
        if response is not None and response.status in (404, 410):
            return await self._end(page, run, "failed", "form_closed", "The posting is gone.")
        state = await self._await_form(page)
        if state["closed"]:
            return await self._end(
                page, run, "failed", "form_closed", "The posting no longer takes applications."
            )
        if wall := self._wall(state):
            return await self._park(page, run, wall)
        if not state["form"]:
            return await self._end(
                page, run, "failed", "error", "The application form did not appear."
            )
        await self._reveal_cover_letter_box(page, request)
        submit_button = await self._fill_steps(page, run)
        if isinstance(submit_button, SubmissionOutcome):
            return submit_button

        await point_of_no_return()
        try:
            await self._mark_pending(page)
            await submit_button.click()
            return await self._await_result(page, run, sent=True)
        except Exception as exc:  # After the send nothing may raise: the flow must record it.
            return await self._after_error(page, run, exc)

    async def _fill_steps(self, page: Page, run: _Run) -> Locator | SubmissionOutcome:
        """Fill each step, clicking Next, until the final submit button shows (not clicked)."""
        for _ in range(self.max_steps):
            stop = await self._fill_step(page, run)
            if stop is not None:
                return await self._end(page, run, "needs_user_input", stop.reason, stop.detail)
            state = await self._inspect(page)
            if wall := self._wall(state):
                return await self._park(page, run, wall)
            submit_button = await self._first_visible(page, self.profile.submit_selectors)
            if submit_button is not None:
                return submit_button
            next_button = await self._first_visible(page, self.profile.next_selectors)
            if next_button is None:
                break
            await self._click_and_settle(page, next_button)
            state = await self._inspect(page)
            if wall := self._wall(state):
                return await self._park(page, run, wall)
            if state["errors"]:
                errors = "; ".join(state["errors"])
                return await self._end(page, run, "needs_user_input", "missing_answer", errors)
        return await self._end(
            page, run, "failed", "error", "No submit button was found on the form."
        )

    async def _resume(
        self,
        page: Page,
        request: SubmissionRequest,
        url: str,
        point_of_no_return: PointOfNoReturn,
    ) -> SubmissionOutcome:
        run = _Run(request)
        await page.goto(self.rewrite(url))
        state = await self._inspect(page)
        if self._confirmed(state):
            return await self._end(page, run, "submitted", None, None, sent=True)
        if state["captcha"]:
            return await self._park(page, run, "captcha")
        boxes = await self._code_boxes(page)
        if not boxes:
            return await self._end(
                page, run, "unknown", "not_confirmed", "The email-code step is gone.", sent=True
            )
        code = (request.email_code or "").strip()
        if len(boxes) > 1 and len(code) == len(boxes):
            # Codes typed one character per box (Greenhouse's eight boxes).
            for box, char in zip(boxes, code, strict=True):
                await box.fill(char)
        else:
            await boxes[0].fill(code)
        run.evidence.sent.append({"key": "email_code", "label": "Email code", "value": "***"})
        await point_of_no_return()
        try:
            await self._mark_pending(page)
            button = (
                boxes[0]
                .locator("xpath=ancestor::form[1]")
                .locator('button[type="submit"], input[type="submit"]')
            )
            if await button.count():
                await button.first.click()
            else:
                await boxes[-1].press("Enter")
            return await self._await_result(page, run, sent=True)
        except Exception as exc:
            return await self._after_error(page, run, exc)

    async def _after_error(self, page: Page, run: _Run, exc: Exception) -> SubmissionOutcome:
        detail = f"{type(exc).__name__}: {exc}"[:500]
        try:
            return await self._end(page, run, "unknown", "not_confirmed", detail, sent=True)
        except Exception:
            return SubmissionOutcome(
                status="unknown",
                reason="not_confirmed",
                detail=detail,
                evidence=run.evidence,
                sent=True,
            )

    # -- reading the page ----------------------------------------------------------------

    async def _inspect(self, page: Page) -> dict[str, Any]:
        profile = self.profile
        args = {
            "errors": list(profile.error_selectors),
            "codes": list(profile.email_code_selectors),
            "logins": list(profile.login_selectors),
            "confirmText": profile.confirmation_text,
            "closedText": profile.closed_text,
            "form": profile.form_selector,
        }
        return cast("dict[str, Any]", await page.evaluate(_page_js.INSPECT, args))

    def _wall(self, state: dict[str, Any]) -> Wall | None:
        if state["captcha"]:
            return "captcha"
        if state["login"]:
            return "login_required"
        if state["emailCode"]:
            return "email_code"
        return None

    def _confirmed(self, state: dict[str, Any]) -> bool:
        pattern = self.profile.confirmation_url
        url = self.unrewrite(str(state["url"]))
        return bool(state["confirmed"]) or bool(pattern and re.search(pattern, url))

    async def _await_form(self, page: Page) -> dict[str, Any]:
        """Wait for the form (clicking "open the form" buttons), a wall, or a closed notice."""
        deadline = time.monotonic() + self.form_timeout
        while True:
            state = await self._inspect(page)
            if state["form"] or state["closed"] or self._wall(state):
                return state
            opener = await self._first_visible(page, self.profile.open_form_selectors)
            if opener is not None:
                await self._click_and_settle(page, opener)
                continue
            if time.monotonic() > deadline:
                return state
            await asyncio.sleep(0.2)

    async def _first_visible(self, page: Page, selectors: tuple[str, ...]) -> Locator | None:
        for selector in selectors:
            matches = page.locator(selector)
            for index in range(await matches.count()):
                candidate = matches.nth(index)
                if await candidate.is_visible():
                    return candidate
        return None

    async def _fields(self, page: Page) -> list[_Field]:
        found = await page.evaluate(_page_js.FIELDS, {"root": self.profile.form_selector})
        return [_Field(**item) for item in found["fields"]]

    async def _click_and_settle(self, page: Page, button: Locator) -> None:
        await button.click()
        # A single-page step change fires no "load"; whatever the page shows next is read after.
        with contextlib.suppress(Exception):
            await page.wait_for_load_state("load", timeout=self.navigation_timeout * 1000)
        await asyncio.sleep(0.2)

    async def _reveal_cover_letter_box(self, page: Page, request: SubmissionRequest) -> None:
        has_file = any(a.kind == "cover_letter" for a in request.attachments)
        if request.cover_letter_text and not has_file and self.profile.cover_letter_text_reveal:
            button = await self._first_visible(page, (self.profile.cover_letter_text_reveal,))
            if button is not None:
                await button.click()

    async def _code_boxes(self, page: Page) -> list[Locator]:
        boxes: list[Locator] = []
        for selector in self.profile.email_code_selectors:
            matches = page.locator(selector)
            for index in range(await matches.count()):
                box = matches.nth(index)
                if await box.is_visible() and box not in boxes:
                    boxes.append(box)
            if boxes:
                return boxes
        return boxes

    # -- filling -------------------------------------------------------------------------

    def _value_for(self, f: _Field, run: _Run, answers: _Answers) -> object:
        """What goes into `f`: an approved answer, a file, the cover letter, a contact detail."""
        request = run.request
        if f.kind == "file":
            kind = _attachment_kind(f)
            # A file box takes a file only: a typed answer cannot go into it.
            return next((a for a in request.attachments if a.kind == kind), None)
        answer = answers.find(f)
        if answer is not None and answer.type != "file":
            return answer.value
        if (
            f.kind == "textarea"
            and _attachment_kind(f) == "cover_letter"
            and request.cover_letter_text
            and not any(a.kind == "cover_letter" for a in request.attachments)
        ):
            return request.cover_letter_text
        if f.kind in {"text", "textarea", "combobox"}:
            detail = _contact_kind(f)
            if detail is not None:
                contact = request.contact
                return contact.name if detail == "name" else getattr(contact, detail, None)
        return None

    async def _fill_step(self, page: Page, run: _Run) -> _Stop | None:
        """Fill every rendered field not filled yet; a _Stop when one cannot be."""
        answers = _Answers(run.request.answers)
        fields = [f for f in await self._fields(page) if f.ref not in run.done]
        planned: list[tuple[_Field, object]] = []
        unknown: list[str] = []
        unanswered: list[str] = []
        for f in fields:
            value = self._value_for(f, run, answers)
            if _empty(value):
                if f.required:
                    known = answers.mentions(f) or _attachment_kind(f) is not None
                    (unanswered if known else unknown).append(f.label or f.key)
                continue
            planned.append((f, value))
        if unknown:
            asked = "; ".join(unknown)
            return _Stop("form_changed", f"The form asks what the approved answers do not: {asked}")
        if unanswered:
            missing = "; ".join(unanswered)
            return _Stop("missing_answer", f"Required fields have no answer: {missing}")
        for f, value in planned:
            filled = await self._fill(page, f, value)
            if filled is None:
                return _Stop(
                    "form_changed",
                    f"The form does not offer {value!r} for {f.label or f.key!r}.",
                )
            if isinstance(value, Attachment):
                run.evidence.files.append(value.filename)
            run.evidence.sent.append({"key": f.key, "label": f.label, "value": filled})
            run.done.add(f.ref)
        return None

    async def _fill(self, page: Page, f: _Field, value: object) -> str | list[str] | None:
        """Put `value` into `f`; what was filled (as the form shows it), None if impossible."""
        target = page.locator(f'[data-jobpilot-ref="{f.ref}"]')
        if isinstance(value, Attachment):
            await target.set_input_files(
                {"name": value.filename, "mimeType": value.content_type, "buffer": value.data}
            )
            return value.filename
        values = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        text = ", ".join(values)
        if f.kind in {"text", "textarea"}:
            await target.fill(text)
            return text
        if f.kind in {"select", "multiselect", "radio", "checkboxes"}:
            return await self._fill_choice(page, target, f, values)
        if f.kind == "checkbox":
            on = text.strip().lower() in _TRUE or norm_label(text) == norm_label(f.label)
            await self._tick(page, f.ref, on=on)
            return "yes" if on else "no"
        if f.kind in {"combobox", "dropdown"}:
            return await self._choose(page, target, f, text)
        return None

    async def _fill_choice(
        self, page: Page, target: Locator, f: _Field, values: list[str]
    ) -> str | list[str] | None:
        """Choose options by label in a select, a radio group or a checkbox group."""
        many = f.kind in {"multiselect", "checkboxes"}
        wanted = values if many else [", ".join(values)]
        picks = [_pick(f.options, v) for v in wanted]
        if any(p is None for p in picks):
            return None
        indexes = [cast("int", p) for p in picks]
        if f.kind in {"select", "multiselect"}:
            # Forced: a select hidden behind a styled menu button is chosen through itself.
            await target.select_option(index=[int(f.option_refs[i]) for i in indexes], force=True)
        else:
            for i in indexes:
                await self._tick(page, f.option_refs[i], on=True)
        chosen = [f.options[i] for i in indexes]
        return chosen if many else chosen[0]

    async def _tick(self, page: Page, ref: str, *, on: bool) -> None:
        box = page.locator(f'[data-jobpilot-ref="{ref}"]')
        try:
            await box.set_checked(on, timeout=self.action_timeout * 500)
        except Exception:
            # Styled boxes hide the input behind their label; clicking the label toggles it.
            if await box.is_checked() != on:
                await box.evaluate("el => (el.labels && el.labels[0] ? el.labels[0] : el).click()")

    async def _choose(self, page: Page, box: Locator, f: _Field, text: str) -> str | None:
        """Pick `text` in a searchable select (react-select and the like), or in a dropdown
        that only opens (a `div[role=combobox]`, react-widgets)."""
        await box.click()
        if f.kind == "combobox":
            await box.fill(text)
        # A place search box offers "London, England, United Kingdom" for "London".
        loose = _contact_kind(f) == "city" or bool(_PLACE_QUESTION.search(f.label))
        deadline = time.monotonic() + 3.0
        while True:
            options = cast("list[str]", await box.evaluate(_page_js.COMBOBOX_OPTIONS))
            index = _pick(options, text, loose=loose)
            if index is not None:
                break
            if time.monotonic() > deadline:
                await box.press("Escape")
                return None
            await asyncio.sleep(0.1)
        controls = await box.get_attribute("aria-controls") or await box.get_attribute("aria-owns")
        scope = f'[id="{controls}"]' if controls else '[role="listbox"]'
        listbox = page.locator(scope)
        await listbox.locator('[role="option"]:visible').nth(index).click()
        return options[index]

    # -- after the send ------------------------------------------------------------------

    async def _mark_pending(self, page: Page) -> None:
        # A new document drops the mark: that is how a reload is told from an unchanged page.
        await page.evaluate("() => { window.__jobpilotPending = true; }")

    async def _await_result(self, page: Page, run: _Run, *, sent: bool) -> SubmissionOutcome:
        started = time.monotonic()
        deadline = started + self.confirmation_timeout
        while time.monotonic() < deadline:
            try:
                state = await self._inspect(page)
            except Exception:  # The page is navigating; its next document answers.
                await asyncio.sleep(0.2)
                continue
            if self._confirmed(state):
                return await self._end(page, run, "submitted", None, None, sent=sent)
            if state["captcha"]:
                return await self._park(page, run, "captcha", sent=sent)
            settled = not state["pending"] or time.monotonic() - started > self.settle_seconds
            if settled:
                if state["emailCode"]:
                    detail = "; ".join(state["errors"]) or None
                    return await self._park(page, run, "email_code", sent=sent, detail=detail)
                if state["login"]:
                    return await self._park(page, run, "login_required", sent=sent)
                if state["errors"]:
                    return await self._end(
                        page, run, "failed", "rejected", "; ".join(state["errors"]), sent=sent
                    )
            await asyncio.sleep(0.2)
        return await self._end(
            page,
            run,
            "unknown",
            "not_confirmed",
            f"No confirmation within {self.confirmation_timeout:g} s.",
            sent=sent,
        )

    async def _park(
        self, page: Page, run: _Run, wall: Wall, *, sent: bool = False, detail: str | None = None
    ) -> SubmissionOutcome:
        messages = {
            "captcha": "The form shows a captcha; finish it in the browser.",
            "login_required": "The ATS asks to sign in or create an account.",
            "email_code": "The ATS emailed a code that must be entered.",
        }
        outcome = await self._end(
            page, run, "needs_user_input", wall, detail or messages[wall], sent=sent
        )
        if wall == "email_code" and sent:
            storage = await page.context.storage_state()
            outcome.resume_state = {
                "url": self.unrewrite(page.url),
                "storage_state": cast("dict[str, Any]", storage),
            }
        return outcome

    async def _end(
        self,
        page: Page,
        run: _Run,
        status: Literal["submitted", "needs_user_input", "failed", "unknown"],
        reason: OutcomeReason | None,
        detail: str | None,
        *,
        sent: bool = False,
    ) -> SubmissionOutcome:
        evidence = run.evidence
        evidence.confirmation_url = self.unrewrite(page.url)
        if status == "submitted":
            evidence.confirmation_html = await page.content()
        try:
            evidence.screenshot_png = await page.screenshot(full_page=True, type="png")
        except Exception:  # A screenshot is evidence, not a reason to lose the outcome.
            evidence.screenshot_png = None
        return SubmissionOutcome(
            status=status,
            reason=reason,
            detail=detail,
            handoff_url=self.unrewrite(page.url) if status == "needs_user_input" else None,
            evidence=evidence,
            sent=sent,
        )
