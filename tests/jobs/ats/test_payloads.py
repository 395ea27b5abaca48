"""`parse_payload` over every captured sample, offline, and against what the fetching methods read.

Each file under ../shared/fixtures/ats/<ats>/ is parsed with the board
BoardRef(ats=<folder>, tenant=<file name up to the first "_">). The expectations below were read
from the files themselves; a sample that appears without an entry here fails the coverage test.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from fakes.local_server import Canned, FakeHosts
from jobpilot.jobs.ats.base import AtsAdapter, AtsError, AtsHttp, AtsPosting, BoardRef
from jobpilot.jobs.ats.registry import adapter, adapter_names
from support import require_shared

NOT_SAMPLES = frozenset({"SOURCES.md", "NOTES.md"})


@dataclass(frozen=True)
class Holds:
    """A sample that carries postings: how many, and one of them as the file spells it."""

    count: int
    source_id: str
    title: str


@dataclass(frozen=True)
class IsForm:
    """A sample that defines only an application form."""


SAMPLES: dict[str, Holds | IsForm] = {
    "ashby/lightdash_job_board_posting_api.json": Holds(
        2, "309706bc-1081-48b6-89dc-f769bbe17e6d", "Analytics Engineering Advocate"
    ),
    "ashby/lightdash_graphql_ApiJobPosting_application_form.json": IsForm(),
    "bamboohr/avidbots_careers_list.json": Holds(
        17, "808", "Senior Manager, Software Development, Web & Mobile"
    ),
    "bamboohr/premise_careers_45_detail.json": Holds(
        1, "45", "Lead Product Manager, Retail Task Management & Execution"
    ),
    "breezy/breezy_trial_json_positions.json": Holds(2, "98323abf2296", "Employee #12"),
    "greenhouse/codepath_board_page.html": Holds(
        15, "4384343007", "Director of Institutional Giving"
    ),
    "greenhouse/codepath_job_4426096007_with_questions.json": Holds(
        1, "4426096007", "Associate Instructor - Part Time, Fall Contract"
    ),
    "greenhouse/codepath_jobs.json": Holds(15, "4426707007", "Data Engineer"),
    "icims/wipfli_jobs_search_trimmed.html": Holds(2, "8214", "Payroll Tax Specialist"),
    "jazzhr/apply_form_tenant_c_anonymised.html": IsForm(),
    "jobvite/feedingamerica_search_trimmed.html": Holds(
        2, "octxAfww", "Manager, Development (Chicago/Hybrid)"
    ),
    "lever/gotogroup_postings_trimmed.json": Holds(
        5, "f53cae40-f605-4215-9a82-b48c5db508b5", "#10010 Senior Backend Engineer"
    ),
    "lever/palantir_apply_form_trimmed.html": IsForm(),
    "paylocity/ncadvancedenergy_jobs_all_pagedata_trimmed.html": Holds(
        2, "4141169", "Engineer/Associate Engineer, Power Systems"
    ),
    # The sanitised feed repeats one position twice: one posting.
    "personio/xml_feed_sanitized.xml": Holds(
        1, "1834171", "Staff Software Engineer, Data Platform"
    ),
    "recruitee/radishlab_api_offers.json": Holds(4, "1390320", "Copywriter Talent Pool"),
    "smartrecruiters/gousto_postings_list.json": Holds(15, "744000002506395", "Digital Analyst"),
    "smartrecruiters/gousto_posting_detail_744000005631445.json": Holds(
        1, "744000005631445", "Product Manager"
    ),
    "smartrecruiters/oneclick_config_tenant_a_anonymised.json": IsForm(),
    "teamtailor/career_teamtailor_jobs_jsonfeed_trimmed.json": Holds(
        2, "7167985", "Account Executive - Italy (Madrid based)"
    ),
    "workable/kroo_widget_accounts_details.json": Holds(
        7, "8626350C83", "Technical Operations Associate"
    ),
    "workable/kroo_job_C4002EDABE_form.json": IsForm(),
    "workable/workable_xml_job_feed_sample.xml": Holds(
        1, "2CF1C90531", "Marketing Content Writer & Editor"
    ),
    "workday/motorolasolutions_cxs_jobs_page1.json": Holds(
        20, "R47289", "Digital Sales Tool Product Manager"
    ),
    "workday/motorolasolutions_cxs_job_detail_R45693.json": Holds(
        1, "R45693", "Graduate Software Engineer"
    ),
}
POSTING_SAMPLES = sorted(key for key, held in SAMPLES.items() if isinstance(held, Holds))
FORM_SAMPLES = sorted(key for key, held in SAMPLES.items() if isinstance(held, IsForm))


def sample(key: str) -> Path:
    return require_shared("fixtures", "ats", *key.split("/"))


def board_for(key: str) -> BoardRef:
    ats, name = key.split("/")
    return BoardRef(ats=ats, tenant=name.split("_", 1)[0])


def adapter_for(ats: str) -> AtsAdapter:
    found = adapter(ats)
    assert found is not None, ats
    return found


def parse(key: str) -> list[AtsPosting]:
    board = board_for(key)
    return adapter_for(board.ats).parse_payload(board, sample(key).read_text(encoding="utf-8"))


# --- Every sample -----------------------------------------------------------------------------


def test_every_sample_has_an_expectation() -> None:
    root = require_shared("fixtures", "ats")
    on_disk = {
        f"{folder.name}/{item.name}"
        for folder in root.iterdir()
        if folder.is_dir()
        for item in folder.iterdir()
        if item.name not in NOT_SAMPLES
    }
    assert sorted(on_disk - SAMPLES.keys()) == [], "add these samples to SAMPLES"
    assert sorted(SAMPLES.keys() - on_disk) == [], "these SAMPLES entries have no file"


def test_every_sample_folder_is_an_adapter() -> None:
    root = require_shared("fixtures", "ats")
    folders = {folder.name for folder in root.iterdir() if folder.is_dir()}
    assert folders <= set(adapter_names())


@pytest.mark.parametrize("key", POSTING_SAMPLES)
def test_sample_postings(key: str) -> None:
    expected = SAMPLES[key]
    assert isinstance(expected, Holds)
    board = board_for(key)

    postings = parse(key)

    assert len(postings) == expected.count
    by_id = {posting.source_id: posting for posting in postings}
    assert len(by_id) == len(postings)
    assert by_id[expected.source_id].title == expected.title
    for posting in postings:
        assert (posting.ats, posting.tenant) == (board.ats, board.tenant)
        assert posting.source_id
        assert posting.title


@pytest.mark.parametrize("key", FORM_SAMPLES)
def test_form_samples_are_refused(key: str) -> None:
    with pytest.raises(AtsError, match="application form"):
        parse(key)


# --- Bodies that are not listings -------------------------------------------------------------

UNRELATED = {
    "empty": "",
    "page": "<html><head><title>Hello</title></head><body><p>Nothing here.</p></body></html>",
    "json": '{"unexpected": true}',
    "text": "Service Unavailable",
}


@pytest.mark.parametrize("what", sorted(UNRELATED))
@pytest.mark.parametrize("ats", adapter_names())
def test_unrelated_bodies_are_ats_errors(ats: str, what: str) -> None:
    with pytest.raises(AtsError):
        adapter_for(ats).parse_payload(BoardRef(ats, "acme"), UNRELATED[what])


TRUNCATABLE = [
    key
    for key in POSTING_SAMPLES
    if key.endswith((".json", ".xml")) or key.startswith("paylocity/")
]


@pytest.mark.parametrize("key", TRUNCATABLE)
def test_truncated_samples_are_ats_errors(key: str) -> None:
    board = board_for(key)
    body = sample(key).read_text(encoding="utf-8")
    with pytest.raises(AtsError):
        adapter_for(board.ats).parse_payload(board, body[: len(body) // 2])


EMPTY_LISTINGS: list[tuple[str, str]] = [
    ("greenhouse", '{"jobs": [], "meta": {"total": 0}}'),
    ("greenhouse", '<html><body><h2 id="board_title">Current Job Openings</h2></body></html>'),
    ("lever", "[]"),
    ("ashby", '{"apiVersion": "1", "jobs": []}'),
    ("workday", '{"total": 0, "jobPostings": [], "facets": []}'),
    ("smartrecruiters", '{"offset": 0, "limit": 100, "totalFound": 0, "content": []}'),
    ("taleo", '{"requisitionList": [], "pagingData": {"totalCount": 0}}'),
    ("taleo", '<html><body><div class="oracletaleocwsv2-accordion"></div></body></html>'),
    ("bamboohr", '{"meta": {"totalCount": 0}, "result": []}'),
    ("jazzhr", '<html><body><div id="resumator-jobs"><table></table></div></body></html>'),
    ("recruitee", '{"offers": []}'),
    ("breezy", "[]"),
    ("homebase", "<html><head><title>Jobs | Homebase</title></head><body></body></html>"),
    ("paylocity", '<script>window.pageData = {"Jobs": [], "ModuleTitle": "Acme"};</script>'),
    ("applicantpro", '{"success": true, "data": {"jobs": [], "jobCount": 0, "domainId": 5120}}'),
    ("workable", '{"name": "Acme", "description": "", "jobs": []}'),
    ("workable", "<source><publisher>Workable</publisher></source>"),
    ("icims", '<html><body><div class="iCIMS_JobsTable"></div></body></html>'),
    ("jobvite", '<html><body><table class="jv-job-list"></table></body></html>'),
    ("personio", "<?xml version='1.0' encoding='UTF-8'?>\n<workzag-jobs></workzag-jobs>"),
    ("teamtailor", '{"version": "https://jsonfeed.org/version/1.1", "title": "Acme", "items": []}'),
]


def test_every_adapter_has_an_empty_listing_case() -> None:
    assert {ats for ats, _ in EMPTY_LISTINGS} == set(adapter_names())


@pytest.mark.parametrize(("ats", "body"), EMPTY_LISTINGS)
def test_well_formed_empty_listings_are_empty(ats: str, body: str) -> None:
    assert adapter_for(ats).parse_payload(BoardRef(ats, "acme"), body) == []


@pytest.mark.parametrize(
    ("ats", "body"),
    [
        # Answers for a missing board or posting (NOTES.md, "Unknown tenant / board answers").
        ("greenhouse", '{"status": 404, "error": "Job not found"}'),
        ("lever", '{"ok": false, "error": "Document not found"}'),
        ("recruitee", '{"error": "Not Found"}'),
        ("ashby", '{"data": {"jobPosting": null}}'),
        ("taleo", '{"requisitionList": [], "careerSectionUnAvailable": true}'),
        # An ApplicantPro detail names no title; it is read together with the job list.
        ("applicantpro", '{"success": true, "data": {"id": 5, "description": "<p>x</p>"}}'),
        ("workday", '{"jobPostings": "none"}'),
        ("smartrecruiters", '{"content": [{"id": "1"}], "totalFound": 1}'),
        ("paylocity", "<script>window.pageData = {broken</script>"),
        ("personio", "<workzag-jobs><position><id>1</id></position></workzag-jobs>"),
    ],
)
def test_broken_or_empty_answers_are_ats_errors(ats: str, body: str) -> None:
    with pytest.raises(AtsError):
        adapter_for(ats).parse_payload(BoardRef(ats, "acme"), body)


@pytest.mark.parametrize(
    ("ats", "body"),
    [
        ("greenhouse", '{"questions": [{"label": "First Name", "required": true, "fields": []}]}'),
        ("bamboohr", '{"meta": {}, "result": {"formFields": {"firstName": {"isRequired": true}}}}'),
        (
            "paylocity",
            '<script>window.pageData = {"customJobApplication": {"sections": []}};</script>',
        ),
        ("smartrecruiters", '{"id": "00000000-0000-4000-8000-000000000001", "fieldSets": {}}'),
    ],
)
def test_form_only_bodies_are_refused(ats: str, body: str) -> None:
    with pytest.raises(AtsError, match="application form"):
        adapter_for(ats).parse_payload(BoardRef(ats, "acme"), body)


def test_a_detail_named_by_the_board_keeps_that_id() -> None:
    board = BoardRef("bamboohr", "premise", posting_id="45")
    body = sample("bamboohr/premise_careers_45_detail.json").read_text(encoding="utf-8")
    [posting] = adapter_for("bamboohr").parse_payload(board, body)
    assert posting.source_id == "45"
    assert posting.url == "https://premise.bamboohr.com/careers/45"


def detail_page(url: str) -> str:
    """A posting page shaped as NOTES.md describes them: a canonical link and JSON-LD."""
    job = (
        '{"@context": "https://schema.org", "@type": "JobPosting", "title": "Line Cook",'
        f' "url": "{url}", "description": "<p>Cook.</p>", "datePosted": "2026-09-01"}}'
    )
    return (
        f'<html><head><link rel="canonical" href="{url}">'
        f'<script type="application/ld+json">{job}</script></head>'
        "<body><h1>Line Cook</h1></body></html>"
    )


HTML_DETAILS = [
    ("jazzhr", "https://acme.applytojob.com/apply/jobs/details/AbCdE12345", "AbCdE12345"),
    ("icims", "https://careers-acme.icims.com/jobs/4321/line-cook/job", "4321"),
    ("jobvite", "https://jobs.jobvite.com/acme/job/oAbC123", "oAbC123"),
    (
        "taleo",
        "https://acme.taleo.net/careersection/ext/jobdetail.ftl?job=2600123&lang=en",
        "2600123",
    ),
    ("paylocity", "https://recruiting.paylocity.com/Recruiting/Jobs/Details/4141169", "4141169"),
    ("homebase", "https://app.joinhomebase.com/jobs/acme/line-cook-12", "line-cook-12"),
]


@pytest.mark.parametrize(("ats", "url", "posting_id"), HTML_DETAILS)
def test_html_detail_pages_are_one_posting(ats: str, url: str, posting_id: str) -> None:
    found = adapter_for(ats)
    page = detail_page(url)

    [named_by_page] = found.parse_payload(BoardRef(ats, "acme"), page)
    [named_by_board] = found.parse_payload(BoardRef(ats, "acme", posting_id), page)

    for posting in (named_by_page, named_by_board):
        assert (posting.ats, posting.tenant) == (ats, "acme")
        assert (posting.source_id, posting.title) == (posting_id, "Line Cook")
        assert posting.description_html == "<p>Cook.</p>"


# --- The same reading as the fetching methods -------------------------------------------------

PAYLOCITY_GUID = "211e692d-c45a-4e3a-ae01-3e497af97929"
WORKDAY = BoardRef(
    "workday", "motorolasolutions", host="motorolasolutions.wd5.myworkdayjobs.com", site="Careers"
)


@dataclass(frozen=True)
class Served:
    """A sample served where list_postings/get_posting fetch it."""

    key: str
    board: BoardRef
    method: str
    urls: tuple[str, ...]
    content_type: str = "application/json"


LISTED = [
    Served(
        "greenhouse/codepath_jobs.json",
        BoardRef("greenhouse", "codepath"),
        "GET",
        ("https://boards-api.greenhouse.io/v1/boards/codepath/jobs?content=true",),
    ),
    Served(
        "lever/gotogroup_postings_trimmed.json",
        BoardRef("lever", "gotogroup"),
        "GET",
        ("https://api.lever.co/v0/postings/gotogroup?mode=json&skip=0&limit=100",),
    ),
    Served(
        "ashby/lightdash_job_board_posting_api.json",
        BoardRef("ashby", "lightdash"),
        "GET",
        ("https://api.ashbyhq.com/posting-api/job-board/lightdash?includeCompensation=true",),
    ),
    Served(
        "workday/motorolasolutions_cxs_jobs_page1.json",
        WORKDAY,
        "POST",
        (
            "https://motorolasolutions.wd5.myworkdayjobs.com/wday/cxs/motorolasolutions/Careers/jobs",
        ),
    ),
    Served(
        "smartrecruiters/gousto_postings_list.json",
        BoardRef("smartrecruiters", "gousto"),
        "GET",
        ("https://api.smartrecruiters.com/v1/companies/gousto/postings?limit=100&offset=0",),
    ),
    Served(
        "bamboohr/avidbots_careers_list.json",
        BoardRef("bamboohr", "avidbots"),
        "GET",
        ("https://avidbots.bamboohr.com/careers/list",),
    ),
    Served(
        "recruitee/radishlab_api_offers.json",
        BoardRef("recruitee", "radishlab"),
        "GET",
        ("https://radishlab.recruitee.com/api/offers/",),
    ),
    Served(
        "breezy/breezy_trial_json_positions.json",
        BoardRef("breezy", "breezy"),
        "GET",
        ("https://breezy.breezy.hr/json",),
    ),
    Served(
        "workable/kroo_widget_accounts_details.json",
        BoardRef("workable", "kroo"),
        "GET",
        ("https://apply.workable.com/api/v1/widget/accounts/kroo?details=true",),
    ),
    Served(
        "personio/xml_feed_sanitized.xml",
        BoardRef("personio", "acme"),
        "GET",
        ("https://acme.jobs.personio.de/xml",),
        "application/xml",
    ),
    Served(
        "teamtailor/career_teamtailor_jobs_jsonfeed_trimmed.json",
        BoardRef("teamtailor", "career"),
        "GET",
        ("https://career.teamtailor.com/jobs.json",),
    ),
    Served(
        "icims/wipfli_jobs_search_trimmed.html",
        BoardRef("icims", "wipfli"),
        "GET",
        (
            "https://careers-wipfli.icims.com/jobs/search?ss=1&in_iframe=1&pr=0",
            # The next page repeats the rows, which ends the paging.
            "https://careers-wipfli.icims.com/jobs/search?ss=1&in_iframe=1&pr=1",
        ),
        "text/html",
    ),
    Served(
        "jobvite/feedingamerica_search_trimmed.html",
        BoardRef("jobvite", "feedingamerica"),
        "GET",
        ("https://jobs.jobvite.com/feedingamerica/search?p=0",),
        "text/html",
    ),
    Served(
        "paylocity/ncadvancedenergy_jobs_all_pagedata_trimmed.html",
        BoardRef("paylocity", PAYLOCITY_GUID, site=PAYLOCITY_GUID),
        "GET",
        (f"https://recruiting.paylocity.com/Recruiting/Jobs/All/{PAYLOCITY_GUID}",),
        "text/html",
    ),
]


@pytest.mark.parametrize("served", LISTED, ids=lambda served: served.key.split("/")[0])
async def test_list_postings_reads_a_page_as_parse_payload_does(
    fake: FakeHosts, http: AtsHttp, served: Served
) -> None:
    path = sample(served.key)
    for url in served.urls:
        fake.add(served.method, url, Canned.file(path, served.content_type))
    found = adapter_for(served.board.ats)

    listed = await found.list_postings(http, served.board)

    assert listed == found.parse_payload(served.board, path.read_text(encoding="utf-8"))


DETAILED = [
    (
        Served(
            "greenhouse/codepath_job_4426096007_with_questions.json",
            BoardRef("greenhouse", "codepath"),
            "GET",
            (
                "https://boards-api.greenhouse.io/v1/boards/codepath/jobs/4426096007"
                "?compliance=true&demographic_questions=true&location_questions=true"
                "&pay_transparency=true&questions=true",
            ),
        ),
        "4426096007",
    ),
    (
        Served(
            "smartrecruiters/gousto_posting_detail_744000005631445.json",
            BoardRef("smartrecruiters", "Gousto1"),
            "GET",
            ("https://api.smartrecruiters.com/v1/companies/Gousto1/postings/744000005631445",),
        ),
        "744000005631445",
    ),
    (
        Served(
            "bamboohr/premise_careers_45_detail.json",
            BoardRef("bamboohr", "premise"),
            "GET",
            ("https://premise.bamboohr.com/careers/45/detail",),
        ),
        "45",
    ),
    (
        Served(
            "workday/motorolasolutions_cxs_job_detail_R45693.json",
            WORKDAY,
            "GET",
            (
                "https://motorolasolutions.wd5.myworkdayjobs.com/wday/cxs/motorolasolutions"
                "/Careers/job/Uxbridge-UK-ZUK131/Graduate-Software-Engineer_R45693",
            ),
        ),
        "Uxbridge-UK-ZUK131/Graduate-Software-Engineer_R45693",
    ),
]


@pytest.mark.parametrize(
    ("served", "posting_id"),
    [pytest.param(served, posting_id, id=served.board.ats) for served, posting_id in DETAILED],
)
async def test_get_posting_reads_a_detail_as_parse_payload_does(
    fake: FakeHosts, http: AtsHttp, served: Served, posting_id: str
) -> None:
    path = sample(served.key)
    fake.add(served.method, served.urls[0], Canned.file(path, served.content_type))
    found = adapter_for(served.board.ats)

    posting = await found.get_posting(http, served.board, posting_id)

    assert [posting] == found.parse_payload(served.board, path.read_text(encoding="utf-8"))
