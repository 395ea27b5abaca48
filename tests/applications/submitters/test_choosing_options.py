"""How the browser submitter picks an option: exactly, or in a place search box by the
first suggestion that starts with the answer as a whole word (else as a prefix)."""

from __future__ import annotations

from jobpilot.applications.submitters.browser import _PLACE_QUESTION, _pick

PLACES = ["Londonderry, Northern Ireland", "London, England, United Kingdom", "Lisbon, Portugal"]


def test_an_exact_label_wins_over_a_prefix() -> None:
    assert _pick(["Yes", "No"], " yes ") == 0
    assert _pick(["Yes", "No"], "Maybe") is None


def test_a_place_box_takes_the_first_suggestion_starting_with_the_answer() -> None:
    assert _pick(PLACES, "London", loose=True) == 1
    assert _pick(PLACES, "Londond", loose=True) == 0
    assert _pick(PLACES, "London, England", loose=True) == 1
    assert _pick(PLACES, "London") is None


def test_place_questions_are_recognised_by_their_wording() -> None:
    for label in ("Where are you based?", "Location", "Current city", "Which town do you live in?"):
        assert _PLACE_QUESTION.search(label), label
    for label in ("Are you authorised to work in the UK?", "Salary expectations"):
        assert not _PLACE_QUESTION.search(label), label
