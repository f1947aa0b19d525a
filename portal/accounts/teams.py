"""Teams, services and role groups: admin-managed lists staff choose from when they
give input (and later, the groups summaries break down by, small groups suppressed)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.audit.service import AuditAction, record
from portal.errors import Conflict, InvalidInput
from portal.models import RoleGroup, Team, TeamKind, User, utcnow
from portal.sanitise import single_line


def list_teams(session: Session, *, include_retired: bool = True) -> list[Team]:
    query = select(Team).order_by(func.lower(Team.name))
    if not include_retired:
        query = query.where(Team.retired_at.is_(None))
    return list(session.scalars(query))


def _name_taken(
    session: Session,
    model: type[Team] | type[RoleGroup],
    name: str,
    except_id: int | None,
) -> bool:
    query = select(model.id).where(func.lower(model.name) == name.lower())
    if except_id is not None:
        query = query.where(model.id != except_id)
    return session.scalar(query) is not None


def save_team(
    session: Session,
    actor: User | None,
    *,
    name: str,
    kind: str,
    team: Team | None = None,
    retired: bool = False,
) -> Team:
    """Create a team (``team`` None) or rename/re-kind/retire an existing one."""
    clean = single_line(name)
    if not clean:
        raise InvalidInput("Enter a name", field="name")
    if kind not in {k.value for k in TeamKind}:
        raise InvalidInput("Select team or service", field="kind")
    if _name_taken(session, Team, clean, team.id if team else None):
        raise Conflict("A team or service with this name already exists", "name")
    if team is None:
        team = Team(name=clean, kind=kind)
        session.add(team)
        session.flush()
        record(
            session,
            actor,
            AuditAction.TEAM_CREATED,
            "team",
            team.id,
            after={"name": clean, "kind": kind},
        )
        return team
    before = {
        "name": team.name,
        "kind": team.kind,
        "retired": team.retired_at is not None,
    }
    team.name, team.kind = clean, kind
    if retired and team.retired_at is None:
        team.retired_at = utcnow()
    elif not retired:
        team.retired_at = None
    after = {"name": clean, "kind": kind, "retired": retired}
    if before != after:
        session.flush()
        record(
            session,
            actor,
            AuditAction.TEAM_UPDATED,
            "team",
            team.id,
            before=before,
            after=after,
        )
    return team


def list_role_groups(
    session: Session, *, include_retired: bool = True
) -> list[RoleGroup]:
    query = select(RoleGroup).order_by(func.lower(RoleGroup.name))
    if not include_retired:
        query = query.where(RoleGroup.retired_at.is_(None))
    return list(session.scalars(query))


def save_role_group(
    session: Session,
    actor: User | None,
    *,
    name: str,
    group: RoleGroup | None = None,
    retired: bool = False,
) -> RoleGroup:
    """Create a role group, or rename or retire one."""
    clean = single_line(name)
    if not clean:
        raise InvalidInput("Enter a name", field="name")
    if _name_taken(session, RoleGroup, clean, group.id if group else None):
        raise Conflict("A role group with this name already exists", "name")
    if group is None:
        group = RoleGroup(name=clean)
        session.add(group)
        session.flush()
        record(session, actor, AuditAction.ROLE_GROUP_CREATED, "role_group", group.id,
               after={"name": clean})  # fmt: skip
        return group
    before = {"name": group.name, "retired": group.retired_at is not None}
    group.name = clean
    group.retired_at = (group.retired_at or utcnow()) if retired else None
    after = {"name": clean, "retired": retired}
    if before != after:
        session.flush()
        record(session, actor, AuditAction.ROLE_GROUP_UPDATED, "role_group", group.id,
               before=before, after=after)  # fmt: skip
    return group
