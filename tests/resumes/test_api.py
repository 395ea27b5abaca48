"""The resumes API end to end on SQLite and PostgreSQL: create, import, versions, diff, restore,
variants, export, check, templates, limits and bad input."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import docx
import httpx
import pdfplumber
import pypdf
import pytest
from sqlalchemy import func, select

from jobpilot import registry, wiring
from jobpilot.main import create_app
from jobpilot.resumes.models import ExportRow, ResumeRow, ResumeVersion
from jobpilot.settings import Settings
from support import assert_error, client_for, require_shared, sign_in

ADA: dict[str, Any] = {
    "basics": {
        "name": "Ada Lovelace",
        "label": "Programmer",
        "email": "ada@example.com",
        "phone": "+44 20 7946 0000",
        "location": {"city": "London", "countryCode": "GB"},
        "profiles": [{"network": "GitHub", "url": "https://github.com/ada"}],
    },
    "work": [
        {
            "name": "Analytical Engines",
            "position": "Engineer",
            "startDate": "2019-03",
            "highlights": ["Wrote the first published program", "Explained the engine's limits"],
        }
    ],
    "education": [{"institution": "University of London", "area": "Mathematics"}],
    "skills": [{"name": "Languages", "keywords": ["python", "k8s"]}],
}


@dataclass
class Client:
    app: Any
    http: httpx.AsyncClient
    headers: dict[str, str]

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.request(method, path, headers=self.headers, **kwargs)

    async def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = await self.call(method, path, **kwargs)
        assert response.status_code == status, response.text
        return response.json() if response.content else None


@pytest.fixture
async def ada(settings: Settings, migrated_url: str) -> AsyncIterator[Client]:
    settings.database.url = migrated_url
    app = create_app(settings)
    async for http in client_for(app):
        yield Client(app, http, await sign_in(http, app, "ada@example.com"))


async def count_resumes(client: Client) -> int:
    async with client.app.state.container.db.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(ResumeRow)) or 0)


async def test_edit_diff_restore_and_variants_keep_every_version(ada: Client) -> None:
    created = await ada.ok("POST", "/api/v1/resumes", 201, json={"name": "Main", "resume": ADA})
    rid = created["id"]
    assert created["version"]["number"] == 1
    # Skills are spelled as the taxonomy spells them.
    assert created["version"]["resume"]["skills"][0]["keywords"] == ["Python", "Kubernetes"]

    edited = json.loads(json.dumps(ADA))
    edited["work"][0]["highlights"][1] = "Described the engine's limits"
    edited["basics"]["email"] = "ada@lovelace.example"
    v2 = await ada.ok(
        "PUT",
        f"/api/v1/resumes/{rid}",
        json={"resume": edited, "note": "wording", "base_version": 1},
    )
    assert (v2["latest_version"], v2["version"]["parent_number"]) == (2, 1)
    stale = await ada.call("PUT", f"/api/v1/resumes/{rid}", json={"resume": ADA, "base_version": 1})
    assert_error(stale, 409, "version_conflict")

    diff = await ada.ok("GET", f"/api/v1/resumes/{rid}/diff", params={"from": 1, "to": 2})
    assert diff["basics"] == [
        {"field": "email", "from": "ada@example.com", "to": "ada@lovelace.example"}
    ]
    bullets = diff["sections"][0]["changed"][0]["highlights"]
    assert bullets["removed"] == ["Explained the engine's limits"]

    restored = await ada.ok("POST", f"/api/v1/resumes/{rid}/versions/1/restore", 201)
    assert restored["latest_version"] == 3
    assert restored["version"]["resume"]["basics"]["email"] == "ada@example.com"
    history = await ada.ok("GET", f"/api/v1/resumes/{rid}/versions")
    assert [(v["number"], v["origin"]) for v in history] == [
        (3, "restore"),
        (2, "edit"),
        (1, "created"),
    ]
    old = await ada.ok("GET", f"/api/v1/resumes/{rid}/versions/2")
    assert old["resume"]["basics"]["email"] == "ada@lovelace.example"

    variant = await ada.ok(
        "POST",
        f"/api/v1/resumes/{rid}/variants",
        201,
        json={"name": "Backend — tailored for Acme", "version": 2},
    )
    assert variant["parent"] == {"resume_id": rid, "version": 2}
    assert variant["version"]["resume"]["basics"]["email"] == "ada@lovelace.example"
    names = [r["name"] for r in await ada.ok("GET", "/api/v1/resumes")]
    assert names == ["Backend — tailored for Acme", "Main"]


async def test_a_resume_from_the_profile(ada: Client) -> None:
    await ada.ok(
        "PUT",
        "/api/v1/profiles/me",
        json={
            "name": "Ada Lovelace",
            "contact": {"email": "ada@example.com", "phone": "+442079460000"},
            "location": {"city": "London", "country_code": "GB"},
            "experience": [
                {"company": "Analytical Engines", "title": "Engineer", "start": "2019-03-01",
                 "current": True}
            ],
        },
    )  # fmt: skip
    made = await ada.ok(
        "POST", "/api/v1/resumes", 201, json={"name": "From profile", "from_profile": True}
    )
    document = made["version"]["resume"]
    assert document["basics"]["location"] == {"city": "London", "countryCode": "GB"}
    assert document["work"] == [
        {"name": "Analytical Engines", "position": "Engineer", "startDate": "2019-03"}
    ]
    assert made["version"]["origin"] == "profile"


async def test_resumes_are_private_and_limited_by_the_plan(ada: Client) -> None:
    first = await ada.ok("POST", "/api/v1/resumes", 201, json={"name": "One", "resume": ADA})
    for name in ("Two", "Three"):
        await ada.ok("POST", "/api/v1/resumes", 201, json={"name": name, "resume": ADA})
    over = await ada.call("POST", "/api/v1/resumes", json={"name": "Four", "resume": ADA})
    assert_error(over, 402, "quota_exceeded")
    taken = await ada.call("POST", "/api/v1/resumes", json={"name": "One", "resume": ADA})
    assert_error(taken, 409, "resume_name_taken")

    eve = await sign_in(ada.http, ada.app, "eve@example.com")
    peek = await ada.http.get(f"/api/v1/resumes/{first['id']}", headers=eve)
    assert_error(peek, 404, "resume_not_found")
    export = await ada.http.get(f"/api/v1/resumes/{first['id']}/export", headers=eve)
    assert_error(export, 404, "resume_not_found")
    assert (await ada.http.get("/api/v1/resumes", headers=eve)).json() == []

    await ada.ok("DELETE", f"/api/v1/resumes/{first['id']}", 204)
    await ada.ok("POST", "/api/v1/resumes", 201, json={"name": "Four", "resume": ADA})


async def test_invalid_documents_are_refused_naming_the_field(ada: Client) -> None:
    bad = json.loads(json.dumps(ADA))
    bad["work"][0]["startDate"] = "March 2019"
    response = await ada.call("POST", "/api/v1/resumes", json={"name": "Bad", "resume": bad})
    error = assert_error(response, 422, "validation_error")
    assert "startDate" in json.dumps(error["details"])
    empty = await ada.call("POST", "/api/v1/resumes", json={"name": "Nothing"})
    assert_error(empty, 422, "empty_resume")


async def test_exports_open_and_keep_their_order(ada: Client) -> None:
    rid = (await ada.ok("POST", "/api/v1/resumes", 201, json={"name": "Main", "resume": ADA}))["id"]
    for template in ("classic", "two-column", "compact"):
        response = await ada.call(
            "GET", f"/api/v1/resumes/{rid}/export", params={"format": "pdf", "template": template}
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/pdf"
        assert "main-v1.pdf" in response.headers["content-disposition"]
        with pdfplumber.open(io.BytesIO(response.content)) as pdf:
            text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        assert text.index("Ada Lovelace") < text.index("Analytical Engines")
        assert text.index("Wrote the first published program") < text.index(
            "Explained the engine's limits"
        )
    word = await ada.call("GET", f"/api/v1/resumes/{rid}/export", params={"format": "docx"})
    document = docx.Document(io.BytesIO(word.content))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 1")]
    assert headings[:3] == ["Experience", "Education", "Skills"]
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert "Wrote the first published program" in bullets
    as_json = await ada.call("GET", f"/api/v1/resumes/{rid}/export", params={"format": "json"})
    assert as_json.json()["basics"]["name"] == "Ada Lovelace"
    text = await ada.call("GET", f"/api/v1/resumes/{rid}/export", params={"format": "txt"})
    assert text.text.startswith("Ada Lovelace")
    missing = await ada.call(
        "GET", f"/api/v1/resumes/{rid}/export", params={"format": "pdf", "template": "nope"}
    )
    assert_error(missing, 404, "template_not_found")
    # The same export again comes from the cache, byte for byte.
    again = await ada.call("GET", f"/api/v1/resumes/{rid}/export", params={"format": "docx"})
    assert again.content == word.content


async def test_the_ats_check(ada: Client) -> None:
    thin = {"basics": {"name": "Ada Lovelace"}, "work": [{"name": "Engines", "position": "Eng"}]}
    rid = (await ada.ok("POST", "/api/v1/resumes", 201, json={"name": "Thin", "resume": thin}))[
        "id"
    ]
    report = await ada.ok("GET", f"/api/v1/resumes/{rid}/check", params={"template": "two-column"})
    codes = {f["code"] for f in report["findings"]}
    assert {"missing_email", "work_no_dates", "two_columns", "no_skills"} <= codes
    assert report["score"] < 60


async def test_templates_are_listed_previewed_and_managed_by_admins(ada: Client) -> None:
    keys = [t["key"] for t in await ada.ok("GET", "/api/v1/resumes/templates")]
    assert keys[:3] == ["classic", "two-column", "compact"]
    preview = await ada.call("GET", "/api/v1/resumes/templates/classic/preview")
    assert preview.status_code == 200
    assert "default-src 'none'" in preview.headers["content-security-policy"]
    template = {"key": "plain", "name": "Plain", "html": "<h1>{{ resume.basics.name }}</h1>"}
    assert_error(
        await ada.call("POST", "/api/v1/resumes/templates", json=template), 403, "forbidden"
    )

    admin = await sign_in(ada.http, ada.app, "root@example.com", admin=True)
    made = await ada.http.post("/api/v1/resumes/templates", json=template, headers=admin)
    assert made.status_code == 201, made.text
    broken = {**template, "key": "broken", "html": "<h1>{% if %}</h1>"}
    refused = await ada.http.post("/api/v1/resumes/templates", json=broken, headers=admin)
    assert_error(refused, 422, "template_error")
    builtin = await ada.http.put(
        "/api/v1/resumes/templates/classic", json={**template, "key": "classic"}, headers=admin
    )
    assert_error(builtin, 403, "builtin_template")
    retired = await ada.http.delete("/api/v1/resumes/templates/plain", headers=admin)
    assert retired.status_code == 204
    keys = [t["key"] for t in await ada.ok("GET", "/api/v1/resumes/templates")]
    assert "plain" not in keys


async def test_importing_a_real_pdf_and_docx(ada: Client) -> None:
    pdf = require_shared("fixtures", "resumes", "rendercv", "John_Doe_ClassicTheme_CV.pdf")
    imported = await ada.ok(
        "POST",
        "/api/v1/resumes/import",
        201,
        files={"file": (pdf.name, pdf.read_bytes(), "application/pdf")},
    )
    assert imported["version"]["resume"]["basics"]["name"] == "John Doe"
    assert imported["version"]["origin"] == "import"
    assert imported["confidence"]["basics.name"] > 0.5
    assert "John Doe" in imported["raw_text"]
    word = require_shared("fixtures", "resumes", "soupboss", "01-Accountant.docx")
    from_word = await ada.ok(
        "POST",
        "/api/v1/resumes/import",
        201,
        files={"file": ("cv.docx", word.read_bytes(), "application/octet-stream")},
        data={"name": "Accountant"},
    )
    assert from_word["name"] == "Accountant"
    assert from_word["version"]["resume"]["work"]


def encrypted_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"%PDF-1.4 this is not really a pdf", 422, "unreadable_file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, 415, "unsupported_file"),
        (b"just some text", 415, "unsupported_file"),
        (b"%PDF-" + b"0" * (10 * 1024 * 1024), 413, "file_too_large"),
    ],
)
async def test_bad_files_are_refused_and_nothing_is_stored(
    ada: Client, content: bytes, status: int, code: str
) -> None:
    response = await ada.call(
        "POST", "/api/v1/resumes/import", files={"file": ("cv.pdf", content, "application/pdf")}
    )
    assert_error(response, status, code)
    assert await count_resumes(ada) == 0


async def test_a_password_protected_pdf_is_refused(ada: Client) -> None:
    response = await ada.call(
        "POST",
        "/api/v1/resumes/import",
        files={"file": ("cv.pdf", encrypted_pdf(), "application/pdf")},
    )
    assert_error(response, 422, "encrypted_pdf")
    usage = await ada.ok("GET", "/api/v1/users/me/usage")
    assert json.dumps(usage).count('"used": 0') >= 1
    assert await count_resumes(ada) == 0


async def test_resumes_are_exported_and_erased_with_the_account(ada: Client) -> None:
    await ada.ok("POST", "/api/v1/resumes", 201, json={"name": "Main", "resume": ADA})
    export = await ada.ok("GET", "/api/v1/users/me/export")
    (resume,) = export["resumes"]["resumes"]
    assert resume["versions"][0]["resume"]["basics"]["name"] == "Ada Lovelace"
    erased = await ada.call("DELETE", "/api/v1/users/me", json={"confirm": "DELETE"})
    assert erased.status_code == 204
    await wiring.build_worker(ada.app.state.container, registry.domains()).drain()
    async with ada.app.state.container.db.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(ResumeVersion)) == 0
    assert await count_resumes(ada) == 0


async def test_import_edit_diff_restore_export_end_to_end(ada: Client) -> None:
    pdf = require_shared("fixtures", "resumes", "resume-matcher", "barry_allen_fe.pdf")
    imported = await ada.ok(
        "POST",
        "/api/v1/resumes/import",
        201,
        files={"file": (pdf.name, pdf.read_bytes(), "application/pdf")},
    )
    rid, document = imported["id"], json.loads(json.dumps(imported["version"]["resume"]))
    assert imported["name"] == "barry allen fe"
    document["basics"]["label"] = "Frontend Engineer"
    document["work"][0].setdefault("highlights", []).append("Cut page load time by a third")
    await ada.ok("PUT", f"/api/v1/resumes/{rid}", json={"resume": document, "base_version": 1})
    diff = await ada.ok("GET", f"/api/v1/resumes/{rid}/diff", params={"from": 1, "to": 2})
    assert {"field": "label", "from": imported["version"]["resume"]["basics"].get("label"),
            "to": "Frontend Engineer"} in diff["basics"]  # fmt: skip
    restored = await ada.ok("POST", f"/api/v1/resumes/{rid}/versions/1/restore", 201)
    assert restored["version"]["resume"] == imported["version"]["resume"]

    # The worker renders each new version's PDF and DOCX ahead of the first download.
    await wiring.build_worker(ada.app.state.container, registry.domains()).drain()
    async with ada.app.state.container.db.unit_of_work() as session:
        cached = await session.scalar(select(func.count()).select_from(ExportRow))
    assert cached == 6  # three versions x (PDF, DOCX)
    pdf_export = await ada.call("GET", f"/api/v1/resumes/{rid}/export", params={"format": "pdf"})
    with pdfplumber.open(io.BytesIO(pdf_export.content)) as opened:
        assert "Barry Allen" in (opened.pages[0].extract_text() or "")
    word = await ada.call("GET", f"/api/v1/resumes/{rid}/export", params={"format": "docx"})
    assert docx.Document(io.BytesIO(word.content)).paragraphs[0].text == "Barry Allen"
