"""Demo data for `make run`: teams, one account per role, and placeholder
recommendations that say plainly they are not Ofsted's wording."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts import passwords
from portal.accounts.service import create_user, find_user_by_email
from portal.accounts.teams import save_role_group, save_team
from portal.board.demo import seed_board
from portal.framework.importer import (
    BUNDLED,
    FrameworkFile,
    RecommendationData,
    read_file,
)
from portal.framework.service import ImportSummary, import_framework
from portal.models import (
    Addressee,
    EngagementRound,
    Inspection,
    Role,
    RoleGroup,
    RoundStatus,
    Team,
    TeamKind,
    Theme,
    User,
    utcnow,
)
from portal.rounds.service import RoundDetails, save_round
from portal.submissions.release import release
from portal.tagging.codebook import save_theme

DEMO_TEAMS = [
    ("Front Door and MASH", TeamKind.SERVICE),
    ("Children in Need North", TeamKind.TEAM),
    ("Children in Need South", TeamKind.TEAM),
    ("Child Protection East", TeamKind.TEAM),
    ("Cared for Children", TeamKind.TEAM),
    ("Care Leavers", TeamKind.SERVICE),
    ("Fostering and Adoption", TeamKind.TEAM),
    ("Early Help", TeamKind.SERVICE),
    ("Safeguarding and Quality Assurance", TeamKind.SERVICE),
]

DEMO_ACCOUNTS = [
    ("demo-admin@cheshire-east.example", "Alex Admin", [Role.ADMIN], None),
    ("demo-planner@cheshire-east.example", "Priya Planner", [Role.PLANNER], None),
    (
        "demo-moderator@cheshire-east.example",
        "Morgan Moderator",
        [Role.MODERATOR],
        "Children in Need North",
    ),
    (
        "demo-contributor@cheshire-east.example",
        "Sam Social-Worker",
        [Role.CONTRIBUTOR],
        "Children in Need North",
    ),
    (
        "demo-safeguarding@cheshire-east.example",
        "Jo Safeguarding-Lead",
        [Role.SAFEGUARDING_LEAD],
        "Safeguarding and Quality Assurance",
    ),
    (
        "demo-lead-officer@cheshire-east.example",
        "Lee Lead-Officer",
        [Role.LEAD_OFFICER],
        None,
    ),
    (
        "demo-board@cheshire-east.example",
        "Councillor Bea Board-Member",
        [Role.BOARD_MEMBER],
        None,
    ),
]

DEMO_THEMES = [
    ("Supervision and oversight", "Managers' oversight, supervision and challenge."),
    ("Workforce", "Caseloads, turnover, agency staff, recruitment and retention."),
    ("Recording and systems", "Case recording, templates and the case system."),
    (
        "Early help and thresholds",
        "Support before and below the social care threshold.",
    ),
    ("Children in care", "Placements, permanence and outcomes for cared for children."),
    ("Partnership working", "Health, schools, police, courts and the boards."),
]

DEMO_ROLE_GROUPS = [
    "Social worker",
    "Senior practitioner",
    "Team manager",
    "Family support worker",
    "Child protection chair or IRO",
    "Other",
]

PLACEHOLDER_PREFIX = "Placeholder, not Ofsted's wording: "


@dataclass
class DemoAccount:
    email: str
    name: str
    roles: list[Role]
    password: str | None  # None when the account already existed


def placeholder_recommendations(inspection: Inspection) -> FrameworkFile:
    """One placeholder per local-authority area, since the report lists the areas
    but not the text of its 17 recommendations."""
    recommendations = [
        RecommendationData(
            code=area.code.replace("LA-", "LA-R"),
            text=f"{PLACEHOLDER_PREFIX}address the area for improvement "
            f"'{area.title}'. Replace with the inspection report's text.",
            addressed_to=Addressee.LOCAL_AUTHORITY,
            areas=[area.code],
            placeholder=True,
        )
        for area in inspection.areas
        if area.addressed_to == Addressee.LOCAL_AUTHORITY
    ]
    return FrameworkFile(None, inspection.key, [], recommendations)


def load_bundled_framework(session: Session) -> ImportSummary:
    return import_framework(session, None, read_file(BUNDLED))


def seed_demo(session: Session, hash_method: str) -> list[DemoAccount]:
    """Idempotent: existing teams, accounts and recommendations are left alone."""
    load_bundled_framework(session)
    inspection = session.scalars(select(Inspection).order_by(Inspection.id)).first()
    if inspection is not None and not any(
        r.addressed_to == Addressee.LOCAL_AUTHORITY for r in inspection.recommendations
    ):
        import_framework(session, None, placeholder_recommendations(inspection))
    teams = _demo_lists(session)
    accounts = []
    for email, name, roles, team_name in DEMO_ACCOUNTS:
        if find_user_by_email(session, email) is not None:
            accounts.append(DemoAccount(email, name, roles, None))
            continue
        password = passwords.generate_password()
        create_user(
            session,
            None,
            email=email,
            display_name=name,
            roles=roles,
            password_hash=passwords.hash_password(password, hash_method),
            team_id=teams[team_name].id if team_name else None,
            must_change_password=False,
        )
        accounts.append(DemoAccount(email, name, roles, password))
    _demo_themes(session)
    if inspection is not None and session.scalar(select(EngagementRound.id)) is None:
        _demo_input(session, _demo_round(session, inspection))
    planner = find_user_by_email(session, DEMO_ACCOUNTS[1][0])
    lead = find_user_by_email(session, "demo-lead-officer@cheshire-east.example")
    if planner is not None and lead is not None:
        # Demo data: the UTC date is near enough to the council's for it.
        seed_board(session, planner, lead, utcnow().date())
    return accounts


def _demo_lists(session: Session) -> dict[str, Team]:
    """Teams and role groups staff choose from."""
    teams = {t.name: t for t in session.scalars(select(Team))}
    for name, kind in DEMO_TEAMS:
        if name not in teams:
            teams[name] = save_team(session, None, name=name, kind=kind)
    groups = {g.name for g in session.scalars(select(RoleGroup))}
    for group in DEMO_ROLE_GROUPS:
        if group not in groups:
            save_role_group(session, None, name=group)
    return teams


def _demo_themes(session: Session) -> None:
    """A starting codebook, written by the demo planner."""
    planner = find_user_by_email(session, DEMO_ACCOUNTS[1][0])
    if planner is None or session.scalar(select(Theme.id)) is not None:
        return
    for name, description in DEMO_THEMES:
        save_theme(session, planner, name=name, description=description, parent_id=None)


def _demo_round(session: Session, inspection: Inspection) -> EngagementRound:
    """An open round on the local-authority areas, so the journey can be tried."""
    planner = find_user_by_email(session, DEMO_ACCOUNTS[1][0])
    assert isinstance(planner, User)  # noqa: S101 - created just above
    now = utcnow()
    return save_round(
        session,
        planner,
        RoundDetails(
            title="Demo: staff engagement on the 2015 inspection",
            purpose=(
                "Ofsted found that our services require improvement. Before the "
                "improvement-planning seminar we want to hear from frontline staff: "
                "what gets in the way, and what would make the biggest difference."
            ),
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=30),
            status=RoundStatus.OPEN,
            area_ids=[
                a.id
                for a in inspection.areas
                if a.addressed_to == Addressee.LOCAL_AUTHORITY
            ],
        ),
    )


# Synthetic input written for the demo: no real people. The phone number is in
# Ofcom's drama range.
DEMO_INPUT = [
    (
        0,
        False,
        "Supervision is cancelled whenever the duty rota is short, so plans drift.",
        "Protected, diarised supervision that is only moved by the service manager.",
        5,
    ),
    (
        0,
        True,
        "Managers sign off assessments without reading the chronology.",
        "Audit a sample of sign-offs every month and share what is found.",
        4,
    ),
    (
        1,
        False,
        "Recording templates ask for the same thing three times.",
        "One shared template for case notes and management oversight.",
        4,
    ),
    (
        1,
        True,
        "Mum, Sarah rang the duty line on 07700 900123 and nobody called back.",
        "A named worker for every family while a case is open.",
        3,
    ),
    (
        2,
        True,
        "Agency staff leave before families get to know them.",
        "Longer notice periods and a proper induction for agency workers.",
        5,
    ),
    (
        4,
        False,
        "Return home interviews are done but the findings sit in a drawer.",
        "Put the findings in the child's plan within a week.",
        4,
    ),
]


def _demo_input(session: Session, item: EngagementRound) -> None:
    """A few items so moderators have a queue to try."""
    from portal.feedback.forms import new_form_token
    from portal.feedback.service import Answers, Context, submit
    from portal.privacy import DEFAULT_SAFEGUARDING_PHRASES, PrivacySettings

    writer = find_user_by_email(session, DEMO_ACCOUNTS[3][0])
    assert isinstance(writer, User)  # noqa: S101 - created by seed_demo
    settings = PrivacySettings(safeguarding_phrases=DEFAULT_SAFEGUARDING_PHRASES)
    for area_index, anonymous, obstacles, difference, priority in DEMO_INPUT:
        submit(
            session,
            writer,
            item=item,
            area=item.areas[area_index],
            anonymous=anonymous,
            answers=Answers(obstacles, difference, "", priority),
            context=Context(writer.team_id, None),
            form_token=new_form_token(),
            secret=new_form_token(),  # demo receipts are not shown to anyone
            settings=settings,
            confirmed=True,
            now=utcnow(),
        )
    # The demo's anonymous items go to moderation now rather than overnight.
    release(session, utcnow().date(), include_today=True)
