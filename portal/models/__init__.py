"""The whole schema, typed, one module per part of the journey. Every change here
ships an Alembic migration in ``migrations/versions`` (a test compares the two)."""

from portal.models.accounts import (
    ROLE_LABELS,
    LoginFailure,
    Role,
    Team,
    TeamKind,
    User,
    UserRole,
)
from portal.models.audit import (
    AuditEvent,
    AuditMaintenance,
)
from portal.models.base import (
    NAMING_CONVENTION,
    Base,
    UTCDateTime,
    utcnow,
)
from portal.models.engagement import (
    ANSWER_FIELDS,
    ANSWER_LABELS,
    AnonymousInbox,
    Draft,
    EngagementRound,
    ReceiptHandoff,
    RoleGroup,
    RoundStatus,
    Setting,
    Submission,
    SubmissionKind,
    SubmissionPhrase,
    SubmissionStatus,
    round_areas,
)
from portal.models.framework import (
    Addressee,
    Area,
    Inspection,
    Recommendation,
    recommendation_areas,
)
from portal.models.plan import (
    ActionStatus,
    PlanAction,
    plan_evidence,
)
from portal.models.tagging import (
    GlossaryTerm,
    Quote,
    RecommendationTag,
    SuggestionDismissal,
    SummaryNote,
    Theme,
    ThemeTag,
)

__all__ = [
    "ANSWER_FIELDS",
    "ANSWER_LABELS",
    "ActionStatus",
    "PlanAction",
    "plan_evidence",
    "Addressee",
    "AnonymousInbox",
    "ReceiptHandoff",
    "Area",
    "AuditEvent",
    "AuditMaintenance",
    "Base",
    "Draft",
    "EngagementRound",
    "Inspection",
    "LoginFailure",
    "NAMING_CONVENTION",
    "GlossaryTerm",
    "Quote",
    "SuggestionDismissal",
    "SubmissionPhrase",
    "ROLE_LABELS",
    "Recommendation",
    "RecommendationTag",
    "Role",
    "RoleGroup",
    "RoundStatus",
    "Setting",
    "Submission",
    "SummaryNote",
    "SubmissionKind",
    "SubmissionStatus",
    "Team",
    "TeamKind",
    "Theme",
    "ThemeTag",
    "UTCDateTime",
    "User",
    "UserRole",
    "recommendation_areas",
    "round_areas",
    "utcnow",
]
