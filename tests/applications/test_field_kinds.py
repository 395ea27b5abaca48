"""Which contact detail a form field asks for, by its key or label."""

from __future__ import annotations

import pytest

from jobpilot.applications.prepare import field_kind
from jobpilot.jobs.public import FormQuestion


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("Email", "email"),
        ("Email address *", "email"),
        ("E-mail (required)", "email"),
        ("Confirm email", "email"),
        ("Confirm your e-mail", "email"),
        ("Email me job alerts?", "question"),
        ("First name", "first_name"),
        ("Phone", "phone"),
        ("LinkedIn Profile", "linkedin"),
        ("Why do you want to work here?", "question"),
    ],
)
def test_a_field_is_read_as_the_detail_it_asks_for(label: str, kind: str) -> None:
    key = label.lower().replace(" ", "_")
    assert field_kind(FormQuestion(key, label, "text")) == kind
