"""The Flags page (`/admin/flags`) and `/api/admin/flags`: flags listed (the kill switch
always), created, switched in one click, rolled out and targeted, each change audited; what a
user gets (`evaluate`, `/api/v1/users/me/flags`) and the kill switch's effect on
`/api/v1/auto-apply/status`."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

import httpx

from support import assert_error, sign_in
from web_harness import (
    Site,
    audit,
    create_account,
    csrf_of,
    user_id,
    web_sign_in,
    web_sign_in_admin,
    web_sign_in_member,
)

API = "/api/admin/flags"
PAGE = "/admin/flags"
KILL = "auto_apply.paused"


def row_of(page: httpx.Response, name: str) -> str:
    match = re.search(rf'<tr id="[^"]+" data-flag="{re.escape(name)}"(.*?)</tr>', page.text, re.S)
    assert match, name
    return match.group(0)


def cell(row: str, column: str) -> str:
    match = re.search(rf"<td[^>]*data-{column}>(.*?)</td>", row, re.S)
    assert match, column
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


# --- JSON API ---------------------------------------------------------------------------


async def test_the_kill_switch_is_listed_before_anyone_set_it(site: Site) -> None:
    app, client = site
    headers = await sign_in(client, app, "root@example.com", admin=True)
    response = await client.get(API, headers=headers)
    assert response.status_code == 200, response.text
    [kill] = response.json()
    assert kill["name"] == KILL
    assert (kill["enabled"], kill["rollout"], kill["stored"], kill["kill_switch"]) == (
        False,
        100,
        False,
        True,
    )
    assert "kill switch" in kill["description"]
    assert (await client.get(f"{API}/{KILL}", headers=headers)).json()["name"] == KILL


async def test_create_change_and_evaluate_through_the_api(site: Site) -> None:
    app, client = site
    headers = await sign_in(client, app, "root@example.com", admin=True)
    member = await sign_in(client, app, "ada@example.com")
    ada = await user_id(app, "ada@example.com")

    created = await client.post(
        API, json={"name": "search.semantic", "description": "Semantic search"}, headers=headers
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["enabled"], body["rollout"], body["target_users"]) == (False, 100, [])
    assert body["updated_by"] == "root@example.com"
    assert_error(
        await client.post(API, json={"name": "search.semantic"}, headers=headers),
        409,
        "flag_exists",
    )

    # Off: Ada does not get it, and her own view says so.
    evaluated = await client.get(
        f"{API}/search.semantic/evaluate", params={"user_id": str(ada)}, headers=headers
    )
    assert evaluated.json()["reason"] == "disabled"
    assert (await client.get("/api/v1/users/me/flags", headers=member)).json() == {
        "search.semantic": False
    }

    changed = await client.patch(
        f"{API}/search.semantic",
        json={"enabled": True, "rollout": 0, "target_users": ["ADA@example.com"]},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["target_users"] == [str(ada)]
    evaluated = await client.get(
        f"{API}/search.semantic/evaluate", params={"user_id": str(ada)}, headers=headers
    )
    assert evaluated.json() == {
        "name": "search.semantic",
        "user_id": str(ada),
        "email": "ada@example.com",
        "tier": "free",
        "enabled": True,
        "reason": "targeted_user",
        "bucket": None,
    }
    assert (await client.get("/api/v1/users/me/flags", headers=member)).json() == {
        "search.semantic": True
    }
    # Another user is outside the 0 % rollout; with tiers targeted, a free user is out.
    root = await user_id(app, "root@example.com")
    outside = await client.get(
        f"{API}/search.semantic/evaluate", params={"user_id": str(root)}, headers=headers
    )
    assert (outside.json()["enabled"], outside.json()["reason"]) == (False, "outside_rollout")
    await client.patch(
        f"{API}/search.semantic",
        json={"target_users": [], "target_tiers": ["pro"], "rollout": 100},
        headers=headers,
    )
    tier_out = await client.get(
        f"{API}/search.semantic/evaluate", params={"user_id": str(ada)}, headers=headers
    )
    assert tier_out.json()["reason"] == "tier_not_targeted"
    nobody = await client.get(f"{API}/search.semantic/evaluate", headers=headers)
    assert (nobody.json()["user_id"], nobody.json()["reason"]) == (None, "tier_not_targeted")

    [create_event] = await audit(app, "flag.create")
    assert create_event.user_id == root
    assert create_event.details["target"] == {"type": "flag", "id": "search.semantic"}
    updates = await audit(app, "flag.update")
    assert len(updates) == 2
    assert updates[0].details["before"]["enabled"] is False
    assert updates[0].details["after"]["enabled"] is True
    assert updates[0].details["after"]["target_users"] == [str(ada)]
    assert updates[1].details["after"]["target_tiers"] == ["pro"]


async def test_the_api_refuses_bad_input_and_changes_nothing(site: Site) -> None:
    app, client = site
    headers = await sign_in(client, app, "root@example.com", admin=True)
    await client.post(API, json={"name": "beta.board"}, headers=headers)
    for bad in ({"name": "Has Spaces"}, {"name": "x" * 101}, {"name": ""}):
        assert_error(await client.post(API, json=bad, headers=headers), 422, "validation_error")
    assert_error(
        await client.post(API, json={"name": "ok.one", "rollout": 101}, headers=headers),
        422,
        "validation_error",
    )
    for bad_patch in (
        {"rollout": -1},
        {"target_tiers": ["platinum"]},
        {"target_users": ["nobody@example.com"]},
        {"target_users": [str(uuid.uuid4())]},
        {"surprise": True},
    ):
        error = assert_error(
            await client.patch(f"{API}/beta.board", json=bad_patch, headers=headers),
            422,
            "validation_error",
        )
        assert error["details"], bad_patch
    unknown = assert_error(
        await client.patch(
            f"{API}/beta.board", json={"target_users": ["nobody@example.com"]}, headers=headers
        ),
        422,
        "validation_error",
    )
    assert "nobody@example.com" in unknown["details"][0]["msg"]
    assert_error(
        await client.patch(f"{API}/no.such", json={"enabled": True}, headers=headers),
        404,
        "flag_not_found",
    )
    assert_error(
        await client.get(f"{API}/no.such/evaluate", headers=headers), 404, "flag_not_found"
    )
    assert_error(
        await client.get(
            f"{API}/beta.board/evaluate", params={"user_id": str(uuid.uuid4())}, headers=headers
        ),
        404,
        "user_not_found",
    )
    flags = {f["name"]: f for f in (await client.get(API, headers=headers)).json()}
    assert set(flags) == {"beta.board", KILL}
    assert (flags["beta.board"]["rollout"], flags["beta.board"]["target_tiers"]) == (100, [])
    assert await audit(app, "flag.update") == []
    assert len(await audit(app, "flag.create")) == 1


async def test_the_api_is_for_admins_only(site: Site) -> None:
    app, client = site
    assert_error(await client.get(API), 401, "invalid_token")
    assert_error(await client.post(API, json={"name": "x.y"}), 401, "invalid_token")
    assert_error(await client.get("/api/v1/users/me/flags"), 401, "invalid_token")
    member = await sign_in(client, app, "ada@example.com")
    assert_error(await client.get(API, headers=member), 403, "forbidden")
    assert_error(await client.post(API, json={"name": "x.y"}, headers=member), 403, "forbidden")
    assert_error(
        await client.patch(f"{API}/{KILL}", json={"enabled": True}, headers=member),
        403,
        "forbidden",
    )
    assert_error(await client.get(f"{API}/{KILL}/evaluate", headers=member), 403, "forbidden")
    assert (await client.get("/api/v1/auto-apply/status", headers=member)).json()["paused"] is False
    assert await audit(app, "flag.create") == []
    assert await audit(app, "flag.update") == []


async def test_the_kill_switch_pauses_auto_apply_at_once(site: Site) -> None:
    app, client = site
    admin = await sign_in(client, app, "root@example.com", admin=True)
    member = await sign_in(client, app, "ada@example.com")
    status = await client.get("/api/v1/auto-apply/status", headers=member)
    assert status.json() == {"paused": False, "reason": None}

    switched = await client.patch(f"{API}/{KILL}", json={"enabled": True}, headers=admin)
    assert switched.status_code == 200, switched.text
    assert (switched.json()["enabled"], switched.json()["stored"]) == (True, True)
    status = await client.get("/api/v1/auto-apply/status", headers=member)
    assert status.json() == {"paused": True, "reason": "paused by an operator"}
    assert (await client.get("/api/v1/users/me/flags", headers=member)).json()[KILL] is True
    # The submission flow reads the same flag, with no user: on for everyone.
    assert await app.state.container.submission.flags.enabled(KILL) is True

    await client.patch(f"{API}/{KILL}", json={"enabled": False}, headers=admin)
    status = await client.get("/api/v1/auto-apply/status", headers=member)
    assert status.json()["paused"] is False
    [first, second] = await audit(app, "flag.update")
    assert (first.details["before"]["enabled"], first.details["after"]["enabled"]) == (False, True)
    assert second.details["after"]["enabled"] is False


# --- The pages --------------------------------------------------------------------------


async def signed_in_admin(site: Site) -> tuple[Any, httpx.AsyncClient, str]:
    app, client = site
    await web_sign_in_admin(app, client, name="Robin Root")
    page = await client.get(PAGE)
    return app, client, csrf_of(page)


async def test_the_page_lists_flags_with_the_kill_switch_standing_out(site: Site) -> None:
    _, client, _ = await signed_in_admin(site)
    page = await client.get(PAGE)
    assert page.status_code == 200, page.text
    assert "<h1>Flags</h1>" in page.text
    assert '<a href="/admin/flags" aria-current="page">Flags</a>' in page.text
    kill = row_of(page, KILL)
    assert "flag-row--kill" in kill
    assert "Auto-apply kill switch" in kill
    assert cell(kill, "state") == "○ Off"
    assert cell(kill, "updated") == "Never set"
    assert f'hx-post="/admin/flags/{KILL}/toggle"' in kill
    # The create form: labelled fields with the CSRF token.
    assert '<label for="field-name">Name' in page.text
    assert '<label for="field-description">Description' in page.text
    assert page.text.count('name="csrf_token"') >= 3  # sign-out, toggle, create


async def test_create_through_the_form_and_errors_re_render_it(site: Site) -> None:
    app, client, token = await signed_in_admin(site)
    created = await client.post(
        PAGE, data={"csrf_token": token, "name": "search.semantic", "description": "Semantic"}
    )
    assert created.status_code == 303
    assert created.headers["location"] == PAGE
    page = await client.get(PAGE)
    assert "Flag search.semantic is created." in page.text
    row = row_of(page, "search.semantic")
    assert "Semantic" in row
    assert cell(row, "rollout") == "100%"
    assert "by root@example.com" in cell(row, "updated")

    bad = await client.post(
        PAGE, data={"csrf_token": token, "name": "Bad Name!", "description": ""}
    )
    assert bad.status_code == 422
    assert "The flag was not created" in bad.text
    assert 'aria-describedby="field-name-hint field-name-error"' in bad.text
    assert "lower-case letters" in bad.text
    assert 'value="Bad Name!"' in bad.text
    taken = await client.post(PAGE, data={"csrf_token": token, "name": "search.semantic"})
    assert taken.status_code == 409
    assert "A flag named search.semantic exists already." in taken.text
    assert len(await audit(app, "flag.create")) == 1


async def test_toggle_in_one_click_with_htmx_and_without(site: Site) -> None:
    app, client, token = await signed_in_admin(site)
    hx = {"HX-Request": "true", "X-CSRF-Token": token}
    fragment = await client.post(f"{PAGE}/{KILL}/toggle", headers=hx)
    assert fragment.status_code == 200, fragment.text
    assert fragment.text.lstrip().startswith('<tr id="flag-')
    assert "<html" not in fragment.text
    assert cell(fragment.text, "state") == "● On: auto-apply paused"
    assert "Turn off" in fragment.text
    assert "by root@example.com" in cell(fragment.text, "updated")
    assert await app.state.container.flags.enabled(KILL) is True

    # Without htmx: a redirect and the message on the list.
    plain = await client.post(f"{PAGE}/{KILL}/toggle", data={"csrf_token": token})
    assert plain.status_code == 303
    page = await client.get(PAGE)
    assert f"Flag {KILL} is now off." in page.text
    assert cell(row_of(page, KILL), "state") == "○ Off"
    updates = await audit(app, "flag.update")
    assert [e.details["after"]["enabled"] for e in updates] == [True, False]
    assert all(e.details["target"] == {"type": "flag", "id": KILL} for e in updates)

    missing = await client.post(f"{PAGE}/no.such/toggle", data={"csrf_token": token})
    assert missing.status_code == 404


async def test_the_edit_form_sets_rollout_and_targets(site: Site) -> None:
    app, client, token = await signed_in_admin(site)
    await create_account(app, "ada@example.com", name="Ada")
    ada = await user_id(app, "ada@example.com")
    await client.post(PAGE, data={"csrf_token": token, "name": "beta.board"})
    form = await client.get(f"{PAGE}/beta.board")
    assert form.status_code == 200
    assert "<h1>Flag beta.board</h1>" in form.text
    for tier in app.state.settings.users.tiers:
        assert f'name="target_tiers" value="{tier}"' in form.text
    assert '<label for="field-target_users">' in form.text

    # An unknown email, a bad tier and a bad percentage: all said, nothing saved.
    bad = await client.post(
        f"{PAGE}/beta.board",
        data={
            "csrf_token": token,
            "description": "Board",
            "rollout": "150",
            "target_tiers": ["free"],
            "target_users": "ada@example.com, ghost@example.com",
        },
    )
    assert bad.status_code == 422
    text = html.unescape(bad.text)
    assert "Nothing was saved" in text
    assert "No account matches: ghost@example.com." in text
    assert 'id="field-target_users-error"' in bad.text
    assert "ghost@example.com" in text  # the typed value is kept
    letters = await client.post(f"{PAGE}/beta.board", data={"csrf_token": token, "rollout": "half"})
    assert letters.status_code == 422
    assert "Enter a whole number from 0 to 100." in letters.text
    assert await audit(app, "flag.update") == []

    saved = await client.post(
        f"{PAGE}/beta.board",
        data={
            "csrf_token": token,
            "description": "The new board",
            "rollout": "50",
            "target_tiers": ["free"],
            "target_users": f"ada@example.com\n{ada}",
        },
    )
    assert saved.status_code == 303, saved.text
    page = await client.get(PAGE)
    assert "Flag beta.board is saved: off, 50 % rollout, tiers free, 1 target user(s)." in (
        html.unescape(page.text)
    )
    row = row_of(page, "beta.board")
    assert cell(row, "rollout") == "50%"
    assert cell(row, "targets") == "Tiers: free Users: ada@example.com"
    [event] = await audit(app, "flag.update")
    assert event.details["before"]["rollout"] == 100
    assert event.details["after"]["rollout"] == 50
    assert event.details["after"]["target_users"] == [str(ada)]
    # The form shows the targets as emails.
    again = await client.get(f"{PAGE}/beta.board")
    assert ">ada@example.com</textarea>" in again.text


async def test_a_post_without_the_csrf_token_is_refused(site: Site) -> None:
    app, client, _ = await signed_in_admin(site)
    for data in ({}, {"csrf_token": "forged"}):
        refused = await client.post(f"{PAGE}/{KILL}/toggle", data=data)
        assert refused.status_code == 403
        created = await client.post(PAGE, data={**data, "name": "x.y"})
        assert created.status_code == 403
    assert await app.state.container.flags.enabled(KILL) is False
    assert await audit(app, "flag.update") == []
    assert await audit(app, "flag.create") == []


async def test_members_get_the_403_page(site: Site) -> None:
    app, client = site
    await web_sign_in_member(app, client)
    page = await client.get(PAGE)
    assert page.status_code == 403
    assert "admin role" in page.text
    token = csrf_of(page)
    refused = await client.post(f"{PAGE}/{KILL}/toggle", data={"csrf_token": token})
    assert refused.status_code == 403
    assert (await client.get(f"{PAGE}/{KILL}")).status_code == 403
    assert await app.state.container.flags.enabled(KILL) is False
    assert await audit(app, "flag.update") == []

    client.cookies.clear()
    anonymous = await client.get(PAGE)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=/admin/flags"


async def test_the_kill_switch_stays_global(site: Site) -> None:
    app, client = site
    headers = await sign_in(client, app, "root@example.com", admin=True)
    for bad in ({"rollout": 50}, {"target_tiers": ["pro"]}, {"target_users": ["root@example.com"]}):
        error = assert_error(
            await client.patch(f"{API}/{KILL}", json=bad, headers=headers), 422, "validation_error"
        )
        assert "global" in error["details"][0]["msg"]
    described = await client.patch(
        f"{API}/{KILL}", json={"description": "Stop every submission"}, headers=headers
    )
    assert described.json()["description"] == "Stop every submission"
    assert described.json()["rollout"] == 100

    await web_sign_in(client, "root@example.com")
    form = await client.get(f"{PAGE}/{KILL}")
    assert "Auto-apply kill switch." in form.text
    assert 'name="rollout"' not in form.text
    assert 'name="target_tiers"' not in form.text
    saved = await client.post(
        f"{PAGE}/{KILL}",
        data={"csrf_token": csrf_of(form), "description": "Pause auto-apply", "rollout": "5"},
    )
    assert saved.status_code == 303
    flag = await app.state.container.flags.get(KILL)
    assert (flag.description, flag.rollout) == ("Pause auto-apply", 100)


async def test_the_edit_page_tells_what_a_user_gets(site: Site) -> None:
    app, client, token = await signed_in_admin(site)
    await create_account(app, "ada@example.com", name="Ada")
    await client.post(PAGE, data={"csrf_token": token, "name": "beta.board"})
    off = await client.get(f"{PAGE}/beta.board", params={"check": "ada@example.com"})
    assert "For ada@example.com (free tier) the flag is <strong>off</strong>: the flag is " in (
        off.text
    )
    await client.post(f"{PAGE}/beta.board/toggle", data={"csrf_token": token})
    on = await client.get(f"{PAGE}/beta.board", params={"check": "ADA@example.com"})
    assert "the flag is <strong>on</strong>: the user is within the rollout." in on.text
    ghost = await client.get(f"{PAGE}/beta.board", params={"check": "ghost@example.com"})
    assert ghost.status_code == 200
    assert "No account matches ghost@example.com." in ghost.text
    assert 'id="field-check-error"' in ghost.text
