"""Every ATS adapter, and recognising which one a careers URL belongs to."""

from __future__ import annotations

from jobpilot.jobs.ats.applicantpro import ApplicantProAdapter
from jobpilot.jobs.ats.ashby import AshbyAdapter
from jobpilot.jobs.ats.bamboohr import BambooHRAdapter
from jobpilot.jobs.ats.base import AtsAdapter, BoardRef
from jobpilot.jobs.ats.breezy import BreezyAdapter
from jobpilot.jobs.ats.greenhouse import GreenhouseAdapter
from jobpilot.jobs.ats.homebase import HomebaseAdapter
from jobpilot.jobs.ats.icims import IcimsAdapter
from jobpilot.jobs.ats.jazzhr import JazzHRAdapter
from jobpilot.jobs.ats.jobvite import JobviteAdapter
from jobpilot.jobs.ats.lever import LeverAdapter
from jobpilot.jobs.ats.paylocity import PaylocityAdapter
from jobpilot.jobs.ats.personio import PersonioAdapter
from jobpilot.jobs.ats.recruitee import RecruiteeAdapter
from jobpilot.jobs.ats.smartrecruiters import SmartRecruitersAdapter
from jobpilot.jobs.ats.taleo import TaleoAdapter
from jobpilot.jobs.ats.teamtailor import TeamtailorAdapter
from jobpilot.jobs.ats.workable import WorkableAdapter
from jobpilot.jobs.ats.workday import WorkdayAdapter

ADAPTERS: tuple[AtsAdapter, ...] = (
    GreenhouseAdapter(),
    LeverAdapter(),
    AshbyAdapter(),
    WorkdayAdapter(),
    SmartRecruitersAdapter(),
    TaleoAdapter(),
    BambooHRAdapter(),
    JazzHRAdapter(),
    RecruiteeAdapter(),
    BreezyAdapter(),
    HomebaseAdapter(),
    PaylocityAdapter(),
    ApplicantProAdapter(),
    WorkableAdapter(),
    IcimsAdapter(),
    JobviteAdapter(),
    PersonioAdapter(),
    TeamtailorAdapter(),
)


def adapter_names() -> tuple[str, ...]:
    """The name of every adapter, in registry order."""
    return tuple(a.name for a in ADAPTERS)


def adapter(name: str) -> AtsAdapter | None:
    """The adapter named `name`."""
    return next((a for a in ADAPTERS if a.name == name), None)


def detect(url: str) -> tuple[AtsAdapter, BoardRef] | None:
    """The adapter and board a careers URL belongs to, if any adapter recognises it."""
    for candidate in ADAPTERS:
        board = candidate.detect(url)
        if board is not None:
            return candidate, board
    return None
