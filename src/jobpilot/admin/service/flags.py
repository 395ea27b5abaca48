"""The Flags area: feature flags listed, created, switched, rolled out and targeted, each
change audited (`flag.create`, `flag.update` with the flag before and after).

The auto-apply kill switch is always listed, also before anyone set it (it is then off, at
100 %, and stored on its first change). It stays global: no rollout below 100 %, no targets.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from jobpilot.admin.service.common import Actor, AdminComponents
from jobpilot.applications.public import KILL_SWITCH, KILL_SWITCH_DESCRIPTION
from jobpilot.kit.clock import utcnow
from jobpilot.kit.errors import NotFound
from jobpilot.kit.flags import UNSET, Evaluation, Flag, FlagNotFound, InvalidFlag, evaluate
from jobpilot.users.public import UsersFacade

# Flags every deployment has, listed before anyone sets them: name -> description.
WELL_KNOWN = {KILL_SWITCH: KILL_SWITCH_DESCRIPTION}
_SEPARATORS = re.compile(r"[\s,;]+")


class UserNotFound(NotFound):
    """No account has this id."""

    code = "user_not_found"
    default_message = "No account has this id."


@dataclass(frozen=True)
class FlagView:
    """A flag as the admin sees it: with the target users' and the last changer's emails."""

    flag: Flag
    # False for a well-known flag nobody set yet (the kill switch): off, at 100 %.
    stored: bool
    kill_switch: bool
    # Each target user's id and email (None: no such account any more).
    target_accounts: tuple[tuple[uuid.UUID, str | None], ...]
    # The email of the admin who changed it last, or what `updated_by` says ("cli").
    updated_by: str | None
    created_by: str | None

    @property
    def name(self) -> str:
        """The flag's name."""
        return self.flag.name


@dataclass(frozen=True)
class FlagEvaluation:
    """What one user (or nobody) gets from a flag, and why."""

    evaluation: Evaluation
    user_id: uuid.UUID | None
    email: str | None
    tier: str | None


@dataclass
class FlagChanges:
    """What an admin changes in a flag; UNSET parts stay."""

    description: str = UNSET
    enabled: bool = UNSET
    rollout: int = UNSET
    # Ids or email addresses, resolved through the auth facade.
    target_users: list[str] = UNSET
    target_tiers: list[str] = UNSET


def split_entries(text: str) -> list[str]:
    """The emails or ids typed into a box, one per line or separated by commas."""
    return [part for part in _SEPARATORS.split(text) if part]


def _problem(field: str, message: str) -> dict[str, Any]:
    return {"loc": ["body", field], "msg": message, "type": "value_error"}


class FlagsService:
    """Feature flags for the admin pages and API; every change is audited."""

    def __init__(self, components: AdminComponents) -> None:
        self.c = components

    async def tiers(self) -> list[str]:
        """The tiers a flag may target: the subscription tiers as admins set them now."""
        async with self.c.db.unit_of_work() as session:
            return await UsersFacade(session, self.c.users).tiers()

    async def flags(self) -> list[FlagView]:
        """Every flag by name, the well-known ones included even if never set."""
        stored = {flag.name: flag for flag in await self.c.flags.all()}
        flags = [(flag, True) for flag in stored.values()]
        flags += [(self._unset(name), False) for name in WELL_KNOWN if name not in stored]
        flags.sort(key=lambda pair: pair[0].name)
        return await self._views(flags)

    async def get(self, name: str) -> FlagView:
        """One flag (a well-known one also before it was set); FlagNotFound otherwise."""
        flag = await self.c.flags.get(name)
        if flag is not None:
            return (await self._views([(flag, True)]))[0]
        if name in WELL_KNOWN:
            return (await self._views([(self._unset(name), False)]))[0]
        raise FlagNotFound(f"No feature flag is named {name}.")

    async def create(
        self, actor: Actor, name: str, description: str, changes: FlagChanges | None = None
    ) -> FlagView:
        """A new flag, off at 100 % unless `changes` say otherwise (audited as
        `flag.create`); FlagExists when the name is taken."""
        changes = changes or FlagChanges()
        if name.strip() == KILL_SWITCH:
            _check_global(changes)
        users, tiers = await self._targets(changes)
        flag = await self.c.flags.create(
            name.strip(),
            description=description,
            enabled=False if changes.enabled is UNSET else changes.enabled,
            rollout=100 if changes.rollout is UNSET else changes.rollout,
            target_users=[] if users is UNSET else users,
            target_tiers=[] if tiers is UNSET else tiers,
            by=str(actor.user_id),
        )
        await self._audit(actor, "flag.create", flag, {"after": flag.as_dict()})
        return (await self._views([(flag, True)]))[0]

    async def update(self, actor: Actor, name: str, changes: FlagChanges) -> FlagView:
        """Change a flag (audited as `flag.update` with before and after); FlagNotFound when
        it does not exist, InvalidFlag (nothing changed) for bad values or unknown users."""
        if name == KILL_SWITCH:
            _check_global(changes)
        users, tiers = await self._targets(changes)
        if name in WELL_KNOWN:
            await self.c.flags.ensure(name, description=WELL_KNOWN[name], by=str(actor.user_id))
        before, after = await self.c.flags.update(
            name,
            by=str(actor.user_id),
            description=changes.description,
            enabled=changes.enabled,
            rollout=changes.rollout,
            target_users=users,
            target_tiers=tiers,
        )
        await self._audit(
            actor, "flag.update", after, {"before": before.as_dict(), "after": after.as_dict()}
        )
        return (await self._views([(after, True)]))[0]

    async def evaluate_entry(self, name: str, entry: str) -> FlagEvaluation:
        """`evaluate` for an account given by email or id; UserNotFound when none matches."""
        ids, unknown = await self._resolve([entry])
        if unknown or not ids:
            raise UserNotFound(f"No account matches {entry.strip() or 'an empty entry'}.")
        return await self.evaluate(name, ids[0])

    async def toggle(self, actor: Actor, name: str) -> FlagView:
        """Switch a flag's master switch over (audited as `flag.update`)."""
        current = await self.get(name)
        return await self.update(actor, name, FlagChanges(enabled=not current.flag.enabled))

    async def evaluate(self, name: str, user_id: uuid.UUID | None) -> FlagEvaluation:
        """What the user (with their tier), or a caller without a user, gets, and why."""
        view = await self.get(name)
        email = tier = None
        if user_id is not None:
            account = await self.c.accounts.account(user_id)
            if account is None:
                raise UserNotFound(f"No account has the id {user_id}.")
            email, tier = account["email"], account["tier"]
        return FlagEvaluation(evaluate(view.flag, user_id, tier), user_id, email, tier)

    # Helpers

    @staticmethod
    def _unset(name: str) -> Flag:
        return Flag(name, False, utcnow(), None, description=WELL_KNOWN[name])

    async def _targets(self, changes: FlagChanges) -> tuple[Any, Any]:
        """The target users as ids and the tiers, checked; InvalidFlag lists every problem."""
        problems = []
        users: Any = UNSET
        if changes.target_users is not UNSET:
            users, unknown = await self._resolve(changes.target_users)
            if unknown:
                problems.append(
                    _problem("target_users", f"No account matches: {', '.join(unknown)}.")
                )
        tiers: Any = UNSET
        if changes.target_tiers is not UNSET:
            tiers = [t.strip() for t in changes.target_tiers if t.strip()]
            known = await self.tiers()
            unknown_tiers = [t for t in tiers if t not in known]
            if unknown_tiers:
                problems.append(
                    _problem(
                        "target_tiers",
                        f"Unknown tier: {', '.join(unknown_tiers)} "
                        f"(the tiers are {', '.join(known)}).",
                    )
                )
        if problems:
            raise InvalidFlag(details=problems)
        return users, tiers

    async def _resolve(self, entries: list[str]) -> tuple[list[uuid.UUID], list[str]]:
        """Each entry (an account id or email) as an account id; and the entries matching
        no account."""
        ids: list[uuid.UUID] = []
        unknown: list[str] = []
        by_id: list[tuple[str, uuid.UUID]] = []
        for entry in (e.strip() for e in entries):
            if not entry:
                continue
            if "@" in entry:
                account = await self.c.accounts.account_by_email(entry)
                if account is None:
                    unknown.append(entry)
                else:
                    ids.append(account.id)
                continue
            try:
                by_id.append((entry, uuid.UUID(entry)))
            except ValueError:
                unknown.append(entry)
        known = await self.c.accounts.emails_of(user_id for _, user_id in by_id)
        for entry, user_id in by_id:
            if user_id in known:
                ids.append(user_id)
            else:
                unknown.append(entry)
        return ids, unknown

    async def _views(self, flags: list[tuple[Flag, bool]]) -> list[FlagView]:
        people: set[uuid.UUID] = set()
        for flag, _ in flags:
            people.update(flag.target_users)
            people.update(u for u in (_as_id(flag.updated_by), _as_id(flag.created_by)) if u)
        emails = await self.c.accounts.emails_of(people)

        def who(by: str | None) -> str | None:
            user_id = _as_id(by)
            return emails.get(user_id, by) if user_id else by

        return [
            FlagView(
                flag=flag,
                stored=stored,
                kill_switch=flag.name == KILL_SWITCH,
                target_accounts=tuple((u, emails.get(u)) for u in flag.target_users),
                updated_by=who(flag.updated_by) if stored else None,
                created_by=who(flag.created_by) if stored else None,
            )
            for flag, stored in flags
        ]

    async def _audit(self, actor: Actor, action: str, flag: Flag, details: dict[str, Any]) -> None:
        # After the change committed, like every admin action: the log holds what happened.
        await self.c.accounts.record_admin_action(
            actor.user_id,
            action,
            {"type": "flag", "id": flag.name},
            details,
            ip=actor.ip,
            user_agent=actor.user_agent,
        )


def _check_global(changes: FlagChanges) -> None:
    """The kill switch is read with no user (it stops every submission): a rollout below
    100 % or targets would leave it off for the submission flow."""
    problems = []
    if changes.rollout is not UNSET and changes.rollout != 100:
        problems.append(_problem("rollout", "The kill switch is global: its rollout is 100 %."))
    for field in ("target_users", "target_tiers"):
        if getattr(changes, field) not in (UNSET, []):
            problems.append(_problem(field, "The kill switch is global: it has no targets."))
    if problems:
        raise InvalidFlag(details=problems)


def _as_id(value: str | None) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
