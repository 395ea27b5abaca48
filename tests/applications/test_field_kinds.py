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
        ("Country", "country"),
        ("Country of residence", "country"),
    ],
)
def test_a_field_is_read_as_the_detail_it_asks_for(label: str, kind: str) -> None:
    key = label.lower().replace(" ", "_")
    assert field_kind(FormQuestion(key, label, "text")) == kind


def test_a_country_list_gets_the_profile_country_in_the_form_own_spelling() -> None:
    from jobpilot.applications.prepare import contact_field

    profile = {"location": {"country_code": "gb"}}
    countries = (*tuple(f"Country {i}" for i in range(250)), "UNITED KINGDOM")
    listed = contact_field(
        FormQuestion("countryId", "Country", "select", True, countries), "country", profile
    )
    assert (listed.value, listed.status) == ("UNITED KINGDOM", "filled")
    missing = contact_field(
        FormQuestion("countryId", "Country", "select", True, ("Canada",)), "country", profile
    )
    assert missing.status == "needs_user_input"
    typed = contact_field(FormQuestion("country", "Country", "text"), "country", profile)
    assert typed.value == "United Kingdom"
