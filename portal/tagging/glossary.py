"""The abbreviations staff write, expanded before tag suggestions are scored, in
the input and in the framework's own wording alike ("RHI" meets "return home
interviews"). Seeded by migration 0010 with DEFAULT_TERMS; administrators keep it.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.service import AuditAction, record
from portal.errors import Conflict, InvalidInput, NotFound
from portal.models import GlossaryTerm, User, utcnow
from portal.sanitise import single_line

DEFAULT_TERMS = {
    "ASYE": "assessed and supported year in employment newly qualified social worker",
    "CAMHS": "child and adolescent mental health services",
    "CCE": "child criminal exploitation",
    "CIN": "child in need",
    "CLA": "cared for child looked after",
    "CP": "child protection",
    "CPP": "child protection plan",
    "CSE": "child sexual exploitation",
    "DA": "domestic abuse",
    "EHA": "early help assessment",
    "EHCP": "education health and care plan",
    "FGC": "family group conference",
    "FGM": "female genital mutilation",
    "FJB": "family justice board",
    "HWB": "health and wellbeing board",
    "ICPC": "initial child protection conference",
    "IHA": "initial health assessment",
    "IRO": "independent reviewing officer",
    "LAC": "looked after child cared for",
    "LADO": "local authority designated officer allegation",
    "LSCB": "local safeguarding children board",
    "MASH": "multi-agency safeguarding hub front door",
    "NQSW": "newly qualified social worker",
    "PEP": "personal education plan",
    "PLO": "public law outline care proceedings",
    "RHA": "review health assessment",
    "RHI": "return home interview missing",
    "SCR": "serious case review",
    "SGO": "special guardianship order permanence",
    "SW": "social worker",
    "TM": "team manager management oversight",
    "UASC": "unaccompanied asylum seeking child",
}
_ABBREVIATION = re.compile(r"[A-Za-z][A-Za-z0-9&]{0,15}")


def terms(session: Session) -> dict[str, str]:
    return {t.abbreviation: t.expansion for t in list_terms(session)}


def list_terms(session: Session) -> list[GlossaryTerm]:
    ordered = select(GlossaryTerm).order_by(GlossaryTerm.abbreviation)
    return list(session.scalars(ordered))


def expander(glossary: dict[str, str]) -> re.Pattern[str] | None:
    """One pattern for every abbreviation (and its plural: "RHIs"), whole words,
    as written in capitals; None when the glossary is empty."""
    if not glossary:
        return None
    alternatives = "|".join(
        re.escape(a) for a in sorted(glossary, key=len, reverse=True)
    )
    return re.compile(rf"\b({alternatives})s?\b")


def expand(text: str, glossary: dict[str, str], pattern: re.Pattern[str] | None) -> str:
    """The text with each abbreviation followed by its expansion."""
    if pattern is None:
        return text
    return pattern.sub(lambda m: f"{m.group(0)} {glossary[m.group(1)]}", text)


def save_term(
    session: Session,
    actor: User,
    abbreviation: str,
    expansion: str,
    term_id: int | None = None,
) -> GlossaryTerm:
    short, long = single_line(abbreviation).upper(), single_line(expansion).lower()
    if not _ABBREVIATION.fullmatch(short):
        raise InvalidInput(
            "Enter the abbreviation as staff write it: letters and digits, up to 16",
            field="abbreviation",
        )
    if not 2 <= len(long) <= 200:
        raise InvalidInput(
            "Enter what it stands for, in 2 to 200 characters", field="expansion"
        )
    clash = session.scalar(
        select(GlossaryTerm).where(GlossaryTerm.abbreviation == short)
    )
    term = session.get(GlossaryTerm, term_id) if term_id is not None else None
    if term_id is not None and term is None:
        raise NotFound("That abbreviation is no longer in the glossary")
    if clash is not None and clash is not term:
        raise Conflict(f"{short} is already in the glossary", field="abbreviation")
    if term is None:
        term = GlossaryTerm(abbreviation=short, expansion=long)
        session.add(term)
    term.abbreviation, term.expansion = short, long
    term.updated_by_id, term.updated_at = actor.id, utcnow()
    session.flush()
    record(session, actor, AuditAction.GLOSSARY_CHANGED, "glossary_term", term.id)
    return term


def delete_term(session: Session, actor: User, term_id: int) -> None:
    term = session.get(GlossaryTerm, term_id)
    if term is None:
        raise NotFound("That abbreviation is no longer in the glossary")
    session.delete(term)
    session.flush()
    record(
        session, actor, AuditAction.GLOSSARY_CHANGED, "glossary_term", term_id,
        reason="deleted",
    )  # fmt: skip
