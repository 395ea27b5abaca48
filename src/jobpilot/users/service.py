"""The users domain's rules: profiles, skills, quotas, avatars, export and erasure."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from pydantic import ValidationError

from jobpilot.kit.clock import utcnow
from jobpilot.kit.errors import ValidationFailed, validation_details
from jobpilot.kit.events import publish
from jobpilot.kit.ports import Blob, BlobStore
from jobpilot.kit.runtime import RuntimeSettings
from jobpilot.kit.tasks import enqueue
from jobpilot.users.config import UsersSettings
from jobpilot.users.errors import (
    AvatarNotFound,
    ConfirmationRequired,
    QuotaExceeded,
    UnknownQuota,
    UnknownTier,
)
from jobpilot.users.events import UserDeleted
from jobpilot.users.models import Avatar, UserSkill
from jobpilot.users.models import Profile as ProfileRow
from jobpilot.users.repository import UserRepository
from jobpilot.users.runtime import TIERS, Tiers
from jobpilot.users.schemas import (
    Completeness,
    MissingItem,
    Profile,
    ProfileRead,
    QuotaUsage,
    SkillInput,
    SkillMatch,
    Usage,
    UserSkillRead,
)
from jobpilot.users.skills.taxonomy import Taxonomy

LIFETIME = datetime(1970, 1, 1, tzinfo=UTC)
AVATAR_SIZES = (64, 256, 512)
MIN_SKILLS_FOR_AUTO_APPLY = 3


class Accounts(Protocol):
    """What the users domain needs from the auth domain (its public facade)."""

    async def account(self, user_id: uuid.UUID) -> dict[str, Any] | None:
        """Email, name and tier of the account."""

    async def set_tier(self, user_id: uuid.UUID, tier: str) -> None:
        """Change the tier carried by the user's next access tokens."""


Exporter = Callable[[uuid.UUID], Awaitable[dict[str, Any]]]


@dataclass
class UsersComponents:
    """The long-lived parts the users service works with (built once by wiring)."""

    settings: UsersSettings
    blobs: BlobStore
    accounts: Accounts
    # The tiers' limits are the runtime setting `users.tiers` (settings.tiers by default).
    runtime: RuntimeSettings
    # Other domains' contributions to a data export, by domain name.
    exporters: dict[str, Exporter] = field(default_factory=dict)


def period_start(period: str, now: datetime) -> datetime:
    """The start of the quota period containing `now`."""
    if period == "day":
        return now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "month":
        return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return LIFETIME


def resets_at(period: str, start: datetime) -> datetime | None:
    """When the period starting at `start` ends (None for lifetime quotas)."""
    if period == "day":
        return start + timedelta(days=1)
    if period == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return None


def completeness(profile: Profile, skill_count: int) -> Completeness:
    """What auto-apply still needs, and a score from 0 to 100."""
    checks: list[tuple[bool, str, str]] = [
        (bool(profile.name.strip()), "name", "Add your full name."),
        (profile.contact.email is not None, "contact.email", "Add the email employers reply to."),
        (profile.contact.phone is not None, "contact.phone", "Add a phone number."),
        (
            profile.location.country_code is not None,
            "location.country_code",
            "Add the country you live in.",
        ),
        (
            bool(profile.work_authorization),
            "work_authorization",
            "Say where you may work and whether you need sponsorship.",
        ),
        (bool(profile.desired_roles), "desired_roles", "Name the roles you are looking for."),
        (bool(profile.experience), "experience", "Add your work experience."),
        (bool(profile.education), "education", "Add your education."),
        (
            skill_count >= MIN_SKILLS_FOR_AUTO_APPLY,
            "skills",
            f"List at least {MIN_SKILLS_FOR_AUTO_APPLY} skills.",
        ),
        (
            profile.notice_period_days is not None,
            "notice_period_days",
            "Say how soon you can start.",
        ),
        (profile.salary is not None, "salary", "Give your salary expectation."),
        (
            profile.answer_bank.willing_to_relocate is not None,
            "answer_bank.willing_to_relocate",
            "Say whether you would relocate.",
        ),
    ]
    missing = [MissingItem(field=f, message=m) for ok, f, m in checks if not ok]
    score = round(100 * (len(checks) - len(missing)) / len(checks))
    return Completeness(score=score, missing=missing)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch: objects merge, null removes, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _custom_key(text: str) -> str:
    return "custom:" + re.sub(r"\s+", " ", text.strip().lower())


class UsersService:
    """Profiles, skills, quotas and avatars of one user at a time."""

    def __init__(self, repository: UserRepository, components: UsersComponents) -> None:
        self.repo = repository
        self.c = components
        self.taxonomy = Taxonomy.load()

    # Profile

    async def profile(self, user_id: uuid.UUID) -> ProfileRead:
        """The user's profile (prefilled from the account until first saved)."""
        row = await self.repo.profile(user_id)
        if row is None:
            account = await self.c.accounts.account(user_id) or {}
            profile = Profile(
                name=account.get("name", ""),
                contact={"email": account.get("email")},
            )
            updated = None
        else:
            profile = Profile.model_validate(row.data)
            updated = row.updated_at
        skills = len(await self.repo.skills(user_id))
        return ProfileRead(
            user_id=user_id,
            profile=profile,
            completeness=completeness(profile, skills),
            updated_at=updated,
        )

    async def replace_profile(self, user_id: uuid.UUID, profile: Profile) -> ProfileRead:
        """Store `profile` as the user's whole profile."""
        now = utcnow()
        row = await self.repo.profile(user_id)
        data = profile.model_dump(mode="json")
        if row is None:
            self.repo.add(ProfileRow(user_id=user_id, data=data, created_at=now, updated_at=now))
        else:
            row.data = data
            row.updated_at = now
        await self.repo.flush()
        return await self.profile(user_id)

    async def patch_profile(self, user_id: uuid.UUID, patch: dict[str, Any]) -> ProfileRead:
        """Apply a JSON merge patch, then validate the whole result."""
        current = (await self.profile(user_id)).profile.model_dump(mode="json")
        merged = merge_patch(current, patch)
        try:
            profile = Profile.model_validate(merged)
        except ValidationError as exc:
            raise ValidationFailed(
                "The profile did not pass validation.", details=validation_details(exc.errors())
            ) from None
        return await self.replace_profile(user_id, profile)

    # Skills

    def _path(self, skill_id: str) -> list[str]:
        return [s.name for s in reversed(self.taxonomy.ancestors(skill_id))]

    def search_skills(self, q: str, limit: int) -> list[SkillMatch]:
        """Autocomplete over the taxonomy."""
        return [
            SkillMatch(id=s.id, name=s.name, path=self._path(s.id))
            for s in self.taxonomy.search(q, limit=limit)
        ]

    async def skills(self, user_id: uuid.UUID) -> list[UserSkillRead]:
        """The user's skills."""
        return [
            UserSkillRead(
                skill_id=s.skill_id,
                name=s.name,
                level=s.level,
                years=s.years,
                custom=s.skill_id is None,
                path=self._path(s.skill_id) if s.skill_id else [],
            )
            for s in await self.repo.skills(user_id)
        ]

    async def replace_skills(
        self, user_id: uuid.UUID, inputs: list[SkillInput]
    ) -> list[UserSkillRead]:
        """Normalise `inputs` to the taxonomy (keeping unknown ones as custom) and store them."""
        rows: dict[str, UserSkill] = {}
        for position, item in enumerate(inputs):
            skill = self.taxonomy.normalise(item.name)
            key = skill.id if skill else _custom_key(item.name)
            if key in rows:
                continue  # "JS" and "JavaScript" are one skill
            rows[key] = UserSkill(
                id=uuid.uuid4(),
                user_id=user_id,
                key=key,
                skill_id=skill.id if skill else None,
                name=skill.name if skill else item.name.strip(),
                level=item.level,
                years=item.years,
                position=position,
            )
        await self.repo.replace_skills(user_id, list(rows.values()))
        return await self.skills(user_id)

    async def has_skill(self, user_id: uuid.UUID, skill: str) -> bool:
        """Whether the user has `skill` (an id or any name/alias) or a descendant of it."""
        wanted = self.taxonomy.normalise(skill)
        if wanted is None:
            return False
        owned = [s.skill_id for s in await self.repo.skills(user_id) if s.skill_id]
        return self.taxonomy.has_skill_or_descendant(owned, wanted.id)

    def expand_skills(self, skill_ids: list[str]) -> set[str]:
        """The skills and all their ancestors."""
        return self.taxonomy.expand_with_ancestors(skill_ids)

    # Quotas

    async def tiers(self) -> Tiers:
        """Each tier's limit per quota, as admins set them now (runtime setting `users.tiers`)."""
        return await self.c.runtime.get(TIERS)

    async def limit(self, tier: str, quota: str) -> int:
        """The tier's limit for `quota` in one period (the free tier's for an unknown tier)."""
        return self._limit(await self.tiers(), tier, quota)[0]

    def _limit(self, tiers: Tiers, tier: str, quota: str) -> tuple[int, str]:
        limits = tiers.get(tier) or tiers["free"]
        spec = self.c.settings.quotas.get(quota)
        if spec is None:
            raise UnknownQuota(details={"quota": quota})
        return limits[quota], spec.period

    async def consume(self, user_id: uuid.UUID, tier: str, quota: str, amount: int = 1) -> int:
        """Spend `amount` of `quota` or raise QuotaExceeded (402); the usage afterwards."""
        limit, period = self._limit(await self.tiers(), tier, quota)
        start = period_start(period, utcnow())
        used = await self.repo.consume(user_id, quota, start, amount, limit)
        if used is None:
            current = next(
                (
                    u.used
                    for u in await self.repo.usage(user_id)
                    if u.quota == quota and u.period_start == start
                ),
                0,
            )
            reset = resets_at(period, start)
            raise QuotaExceeded(
                f"Your {tier} plan allows {limit} ({self.c.settings.quotas[quota].description}).",
                details={
                    "quota": quota,
                    "limit": limit,
                    "used": current,
                    "resets_at": reset.isoformat() if reset else None,
                },
            )
        return used

    async def release(self, user_id: uuid.UUID, quota: str, amount: int = 1) -> None:
        """Give back a lifetime quota (a resume deleted, a saved search removed)."""
        spec = self.c.settings.quotas.get(quota)
        if spec is None:
            raise UnknownQuota(details={"quota": quota})
        await self.repo.release(user_id, quota, period_start(spec.period, utcnow()), amount)

    async def usage(self, user_id: uuid.UUID, tier: str) -> Usage:
        """Usage against every limit of the user's tier."""
        now = utcnow()
        tiers = await self.tiers()
        rows = {(u.quota, u.period_start): u.used for u in await self.repo.usage(user_id)}
        quotas = []
        for quota, spec in self.c.settings.quotas.items():
            limit, period = self._limit(tiers, tier, quota)
            start = period_start(period, now)
            quotas.append(
                QuotaUsage(
                    quota=quota,
                    period=spec.period,
                    limit=limit,
                    used=rows.get((quota, start), 0),
                    resets_at=resets_at(period, start),
                )
            )
        return Usage(tier=tier if tier in tiers else "free", quotas=quotas)

    async def change_tier(self, user_id: uuid.UUID, tier: str) -> None:
        """Move the user to `tier`; tokens issued from now on carry it."""
        tiers = await self.tiers()
        if tier not in tiers:
            raise UnknownTier(details={"tier": tier, "tiers": sorted(tiers)})
        await self.c.accounts.set_tier(user_id, tier)

    # Avatars

    async def avatar_blob(self, user_id: uuid.UUID, size: int) -> Blob:
        """One size of the user's avatar."""
        row = await self.repo.avatar(user_id)
        blob = None
        if row is not None and size in AVATAR_SIZES:
            blob = await self.c.blobs.get(avatar_key(user_id, row.version, size))
        if blob is None:
            raise AvatarNotFound
        return blob

    async def accept_avatar(self, user_id: uuid.UUID, data: bytes) -> str:
        """Keep a checked upload and queue its processing; the upload id."""
        upload = uuid.uuid4().hex
        await self.c.blobs.put(upload_key(user_id, upload), data, "application/octet-stream")
        await enqueue(self.repo.session, "users.process_avatar", user_id=user_id, upload=upload)
        return upload

    async def install_avatar(
        self, user_id: uuid.UUID, upload: str, images: dict[int, bytes]
    ) -> None:
        """Store processed sizes and make them current; the old version's files go."""
        version = upload
        etags = {}
        for size, data in images.items():
            etags[str(size)] = await self.c.blobs.put(
                avatar_key(user_id, version, size), data, "image/webp"
            )
        row = await self.repo.avatar(user_id)
        old_version = row.version if row else None
        if row is None:
            self.repo.add(
                Avatar(user_id=user_id, version=version, etags=etags, updated_at=utcnow())
            )
        else:
            row.version, row.etags, row.updated_at = version, etags, utcnow()
        await self.repo.flush()
        await self.c.blobs.delete(upload_key(user_id, upload))
        if old_version and old_version != version:
            for size in AVATAR_SIZES:
                await self.c.blobs.delete(avatar_key(user_id, old_version, size))

    async def upload_bytes(self, user_id: uuid.UUID, upload: str) -> bytes | None:
        """The raw bytes of a pending upload."""
        blob = await self.c.blobs.get(upload_key(user_id, upload))
        return None if blob is None else blob.data

    async def drop_upload(self, user_id: uuid.UUID, upload: str) -> None:
        """Forget a pending upload."""
        await self.c.blobs.delete(upload_key(user_id, upload))

    # Data rights

    async def export(self, user_id: uuid.UUID, tier: str) -> dict[str, Any]:
        """Everything we hold about the user, by domain."""
        profile = await self.repo.profile(user_id)
        avatar = await self.repo.avatar(user_id)
        data: dict[str, Any] = {
            "exported_at": utcnow().isoformat(),
            "user_id": str(user_id),
            "users": {
                "profile": profile.data if profile else None,
                "skills": [s.model_dump() for s in await self.skills(user_id)],
                "usage": (await self.usage(user_id, tier)).model_dump(mode="json"),
                "avatar": {"version": avatar.version, "updated_at": avatar.updated_at.isoformat()}
                if avatar
                else None,
            },
        }
        for name, exporter in sorted(self.c.exporters.items()):
            data[name] = await exporter(user_id)
        return data

    async def delete_account(self, user_id: uuid.UUID, confirm: str) -> None:
        """Erase the user here and tell every domain to do the same (`users.deleted`)."""
        if confirm != "DELETE":
            raise ConfirmationRequired
        avatar = await self.repo.avatar(user_id)
        await self.repo.erase(user_id)
        await publish(self.repo.session, UserDeleted(user_id=user_id, at=utcnow()))
        if avatar is not None:
            await enqueue(
                self.repo.session,
                "users.delete_avatar_files",
                user_id=user_id,
                version=avatar.version,
            )

    async def delete_avatar_files(self, user_id: uuid.UUID, version: str) -> None:
        """Remove an erased user's avatar files."""
        for size in AVATAR_SIZES:
            await self.c.blobs.delete(avatar_key(user_id, version, size))


def avatar_key(user_id: uuid.UUID, version: str, size: int) -> str:
    """Where one size of an avatar version is stored."""
    return f"avatars/{user_id}/{version}/{size}.webp"


def upload_key(user_id: uuid.UUID, upload: str) -> str:
    """Where an unprocessed upload waits."""
    return f"avatars/{user_id}/uploads/{upload}"
