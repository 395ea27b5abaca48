"""Request and response models of the users API: the profile, skills, usage."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

import phonenumbers
import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    field_validator,
    model_validator,
)

Text200 = Annotated[str, Field(min_length=1, max_length=200)]
ShortText = Annotated[str, Field(min_length=1, max_length=100)]


def _country(code: str) -> str:
    upper = code.strip().upper()
    if len(upper) != 2 or pycountry.countries.get(alpha_2=upper) is None:
        msg = "must be an ISO 3166-1 alpha-2 country code such as DE or US"
        raise ValueError(msg)
    return upper


def _currency(code: str) -> str:
    upper = code.strip().upper()
    if len(upper) != 3 or pycountry.currencies.get(alpha_3=upper) is None:
        msg = "must be an ISO 4217 currency code such as EUR or USD"
        raise ValueError(msg)
    return upper


CountryCode = Annotated[str, AfterValidator(_country)]
CurrencyCode = Annotated[str, AfterValidator(_currency)]


class Strict(BaseModel):
    """Unknown fields are refused, strings are trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Location(Strict):
    """A place."""

    city: Annotated[str, Field(max_length=100)] | None = None
    region: Annotated[str, Field(max_length=100)] | None = None
    country_code: CountryCode | None = None


class Contact(Strict):
    """How employers reach the user. Phone numbers are stored in E.164."""

    email: Annotated[EmailStr, Field(max_length=320)] | None = None
    phone: Annotated[str, Field(max_length=40)] | None = None

    @field_validator("phone")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        try:
            # Without a leading +, numbers are read as US numbers; say so in the error.
            parsed = phonenumbers.parse(value, None if value.startswith("+") else "US")
        except phonenumbers.NumberParseException as exc:
            msg = "is not a phone number; write it with the country code, e.g. +49 30 1234567"
            raise ValueError(msg) from exc
        if not phonenumbers.is_valid_number(parsed):
            msg = "is not a valid phone number for its country"
            raise ValueError(msg)
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _host_check(url: HttpUrl | None, hosts: tuple[str, ...], what: str) -> HttpUrl | None:
    if url is None:
        return None
    host = (urlsplit(str(url)).hostname or "").lower()
    if not any(host == h or host.endswith("." + h) for h in hosts):
        msg = f"must be a {what} address ({hosts[0]})"
        raise ValueError(msg)
    return url


class Links(Strict):
    """Public profiles and a portfolio."""

    linkedin: HttpUrl | None = None
    github: HttpUrl | None = None
    portfolio: HttpUrl | None = None

    @field_validator("linkedin")
    @classmethod
    def _linkedin(cls, value: HttpUrl | None) -> HttpUrl | None:
        return _host_check(value, ("linkedin.com",), "LinkedIn")

    @field_validator("github")
    @classmethod
    def _github(cls, value: HttpUrl | None) -> HttpUrl | None:
        return _host_check(value, ("github.com",), "GitHub")


class WorkAuthorization(Strict):
    """Whether the user may work in a country, and whether they need sponsorship there."""

    country_code: CountryCode
    authorized: bool
    needs_sponsorship: bool = False


class Salary(Strict):
    """The salary the user expects."""

    min: int = Field(ge=0, le=100_000_000)
    max: int = Field(ge=0, le=100_000_000)
    currency: CurrencyCode
    period: Literal["year", "month", "hour"] = "year"

    @model_validator(mode="after")
    def _ordered(self) -> Salary:
        if self.min > self.max:
            msg = "min must not be greater than max"
            raise ValueError(msg)
        return self


class Experience(Strict):
    """A job the user held."""

    company: Text200
    title: Text200
    start: date
    end: date | None = None
    current: bool = False
    description: Annotated[str, Field(max_length=5000)] = ""

    @model_validator(mode="after")
    def _dates(self) -> Experience:
        if self.current and self.end is not None:
            msg = "a current position has no end date"
            raise ValueError(msg)
        if not self.current and self.end is None:
            msg = "give an end date, or mark the position as current"
            raise ValueError(msg)
        if self.end is not None and self.end < self.start:
            msg = "end must not be before start"
            raise ValueError(msg)
        if self.start > datetime.now(UTC).date():
            msg = "start must not be in the future"
            raise ValueError(msg)
        return self


class Education(Strict):
    """A school or degree."""

    institution: Text200
    degree: Annotated[str, Field(max_length=200)] | None = None
    field_of_study: Annotated[str, Field(max_length=200)] | None = None
    start: date | None = None
    end: date | None = None

    @model_validator(mode="after")
    def _dates(self) -> Education:
        if self.start and self.end and self.end < self.start:
            msg = "end must not be before start"
            raise ValueError(msg)
        return self


class Language(Strict):
    """A language and how well the user speaks it."""

    language: ShortText
    proficiency: Literal[
        "elementary", "limited_working", "professional_working", "full_professional", "native"
    ]


Eeo = Literal["decline_to_answer", "yes", "no"]


class EeoAnswers(Strict):
    """Voluntary self-identification; every answer defaults to declining."""

    gender: Annotated[str, Field(max_length=60)] = "decline_to_answer"
    race_ethnicity: Annotated[str, Field(max_length=100)] = "decline_to_answer"
    veteran_status: Literal["decline_to_answer", "veteran", "not_a_veteran"] = "decline_to_answer"
    disability_status: Literal["decline_to_answer", "yes", "no"] = "decline_to_answer"


class CustomAnswer(Strict):
    """A question the user answered once, to reuse."""

    question: Annotated[str, Field(min_length=3, max_length=500)]
    answer: Annotated[str, Field(min_length=1, max_length=2000)]


class AnswerBank(Strict):
    """Facts the user confirmed for screening questions; nothing here is ever guessed."""

    years_by_skill: dict[Annotated[str, Field(max_length=100)], float] = Field(
        default_factory=dict, max_length=200
    )
    willing_to_relocate: bool | None = None
    eeo: EeoAnswers = Field(default_factory=EeoAnswers)
    custom: list[CustomAnswer] = Field(default_factory=list, max_length=100)

    @field_validator("years_by_skill")
    @classmethod
    def _years(cls, value: dict[str, float]) -> dict[str, float]:
        for skill, years in value.items():
            if not 0 <= years <= 60:
                msg = f"years with {skill} must be between 0 and 60"
                raise ValueError(msg)
        return value


class Profile(Strict):
    """Everything a job application asks about the user."""

    name: Annotated[str, Field(max_length=200)] = ""
    headline: Annotated[str, Field(max_length=200)] | None = None
    contact: Contact = Field(default_factory=Contact)
    location: Location = Field(default_factory=Location)
    links: Links = Field(default_factory=Links)
    work_authorization: list[WorkAuthorization] = Field(default_factory=list, max_length=50)
    desired_roles: list[ShortText] = Field(default_factory=list, max_length=20)
    seniority: (
        Literal[
            "intern",
            "junior",
            "mid",
            "senior",
            "staff",
            "principal",
            "lead",
            "manager",
            "director",
            "executive",
        ]
        | None
    ) = None
    desired_locations: list[Location] = Field(default_factory=list, max_length=20)
    remote_preference: Literal["remote", "hybrid", "onsite", "any"] | None = None
    salary: Salary | None = None
    notice_period_days: int | None = Field(default=None, ge=0, le=365)
    experience: list[Experience] = Field(default_factory=list, max_length=50)
    education: list[Education] = Field(default_factory=list, max_length=20)
    languages: list[Language] = Field(default_factory=list, max_length=20)
    answer_bank: AnswerBank = Field(default_factory=AnswerBank)

    @field_validator("work_authorization")
    @classmethod
    def _one_entry_per_country(cls, value: list[WorkAuthorization]) -> list[WorkAuthorization]:
        countries = [w.country_code for w in value]
        if len(countries) != len(set(countries)):
            msg = "list each country once"
            raise ValueError(msg)
        return value


class MissingItem(BaseModel):
    """Something auto-apply needs that the profile lacks."""

    field: str
    message: str


class Completeness(BaseModel):
    """How ready the profile is for auto-apply."""

    score: int
    missing: list[MissingItem]


class ProfileRead(BaseModel):
    """The profile with its completeness."""

    user_id: uuid.UUID
    profile: Profile
    completeness: Completeness
    updated_at: datetime | None


class SkillInput(Strict):
    """A skill as the user types it."""

    name: Annotated[str, Field(min_length=1, max_length=100)]
    level: Literal["beginner", "intermediate", "advanced", "expert"] | None = None
    years: float | None = Field(default=None, ge=0, le=60)


class UserSkillRead(BaseModel):
    """A skill of the user: canonical when it is in the taxonomy, custom otherwise."""

    skill_id: str | None
    name: str
    level: str | None
    years: float | None
    custom: bool
    path: list[str]


class SkillMatch(BaseModel):
    """An autocomplete suggestion."""

    id: str
    name: str
    path: list[str]


class QuotaUsage(BaseModel):
    """One quota of the user's tier."""

    quota: str
    period: Literal["day", "month", "total"]
    limit: int
    used: int
    resets_at: datetime | None


class Usage(BaseModel):
    """The user's tier and how much of each quota is used."""

    tier: str
    quotas: list[QuotaUsage]
