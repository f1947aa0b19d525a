"""Suggested tags, computed here and offline: Okapi BM25 over a short document per
recommendation (its text and its areas' titles and descriptions) and per theme (its
name and description), each grown with the text of input people have already tagged
to it. Words are normalised through a small children's-services synonym list, so
"supervision" meets "oversight" and "LAC" meets "cared for".

Suggestions are only ever shown; a person accepts or ignores each one.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from portal.models import (
    ANSWER_FIELDS,
    Recommendation,
    RecommendationTag,
    Submission,
    SuggestionDismissal,
    Theme,
    ThemeTag,
)
from portal.tagging import glossary

K1 = 1.4
B = 0.75
LEARNED_PER_TAG = 200  # most recent tagged items that feed each document

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    """a about after again all also an and any are as at be because been before being
    but by can could did do does doing don for from get gets getting go going got had
    has have having he her here him his how i if in into is it its just like make
    makes many more most much my need needs no not of off on once one only or other
    our out over own really same she should so some still such than that the their
    them then there these they this those through to too under until up us very was
    we were what when where which while who why will with would you your placeholder
    ofsted wording address area improvement replace inspection report text""".split()
)
# Phrases first (joined into one token), then single words: each maps to a word the
# framework's own wording uses.
_PHRASES = {
    "sign off": "oversight",
    "signed off": "oversight",
    "case notes": "recording",
    "looked after": "cared",
    "in care": "cared",
    "children in care": "cared",
    "early help": "earlyhelp",
    "front door": "threshold",
    "care leavers": "leavers",
    "care leaver": "leavers",
    "family group conference": "fgc",
    "family group conferences": "fgc",
    "health assessment": "health",
    "health assessments": "health",
    "private fostering": "privatefostering",
    "connected persons": "connected",
    "connected person": "connected",
    "kinship care": "connected",
    "family and friends": "connected",
    "special guardianship": "permanence",
    "reviewing officer": "iro",
    "reviewing officers": "iro",
    "child protection chair": "chairs",
    "cp chair": "chairs",
    "conference chair": "chairs",
    "life story": "lifestory",
    "life stories": "lifestory",
    "later life letter": "lifestory",
    "delegated authority": "delegated",
    "foster carer": "fostercarer",
    "foster carers": "fostercarer",
    "return home interview": "returninterview",
    "return home interviews": "returninterview",
    "return interview": "returninterview",
    "return interviews": "returninterview",
    "went missing": "missing",
    "family justice board": "familyjustice",
    "family court": "familyjustice",
    "care proceedings": "familyjustice",
    "health and wellbeing board": "hwb",
    "female genital mutilation": "fgm",
    "serious case review": "scr",
    "serious case reviews": "scr",
    "national panel": "scr",
    "learning review": "scr",
    "performance management": "performance",
    "performance framework": "performance",
    "graded care profile": "neglect",
    # What staff write about each area, in their words (children's-services
    # practice vocabulary, mapped to a word of that area's own title).
    "case direction": "oversight",
    "management oversight": "oversight",
    "reflective supervision": "oversight",
    "practice standards": "quality",
    "quality assurance": "quality",
    "case records": "recording",
    "case record": "recording",
    "new starters": "workforce",
    "social workers": "workforce",
    "exit interviews": "workforce",
    "different social worker": "workforce",
    "changes of worker": "workforce",
    "placement stability": "cared",
    "placement moves": "cared",
    "virtual school": "cared",
    "missing episode": "returninterview",
    "missing episodes": "returninterview",
    "step down": "earlyhelp",
    "stepped down": "earlyhelp",
    "below threshold": "earlyhelp",
    "family support": "earlyhelp",
    "supported accommodation": "leavers",
    "semi independent": "leavers",
    "leaving care": "leavers",
    "pathway plan": "leavers",
    "health provision": "provision",
    "initial health": "health",
    "review health": "health",
    "viability assessment": "connected",
    "viability assessments": "connected",
    "reg 24": "connected",
    "grandparents caring": "connected",
    "dispute resolution": "iro",
    "mid point review": "iro",
    "looked after review": "iro",
    "looked after reviews": "iro",
    "placement order": "permanence",
    "long term fostering": "permanence",
    "26 weeks": "permanence",
    "later life letters": "lifestory",
    "memory box": "lifestory",
    "reasons for decisions": "lifestory",
    "access to records": "lifestory",
    "consent forms": "delegated",
    "consent form": "delegated",
    "sign the form": "delegated",
    "school trip": "delegated",
    "school trips": "delegated",
    "multi agency data": "performance",
    "data quality": "performance",
    "corporate parenting": "scrutiny",
    "out of area": "scrutiny",
    "home conditions": "neglect",
    "chronic neglect": "neglect",
    "neglect toolkit": "neglect",
    "the court": "familyjustice",
    "court timescales": "familyjustice",
    "public health": "hwb",
    "health and wellbeing": "hwb",
    "adult services": "hwb",
    "joined up": "influence",
    "elected members": "hwb",
    "health partners": "hwb",
    "protection order": "fgm",
    "mandatory reporting": "fgm",
    "rapid review": "scr",
    "rapid reviews": "scr",
    "practice review": "scr",
    "practice reviews": "scr",
    "serious incident": "scr",
    "serious incidents": "scr",
}
_SYNONYMS = {
    "supervision": "oversight",
    "supervisor": "oversight",
    "supervisors": "oversight",
    "supervise": "oversight",
    "challenge": "oversight",
    "managers": "management",
    "manager": "management",
    "managerial": "management",
    "records": "recording",
    "record": "recording",
    "paperwork": "recording",
    "notes": "recording",
    "turnover": "workforce",
    "vacancies": "workforce",
    "vacancy": "workforce",
    "agency": "workforce",
    "locum": "workforce",
    "locums": "workforce",
    "retention": "workforce",
    "recruitment": "workforce",
    "caseload": "workforce",
    "caseloads": "workforce",
    "sickness": "workforce",
    "morale": "workforce",
    "staffing": "workforce",
    "stability": "workforce",
    "lac": "cared",
    "cla": "cared",
    "runaway": "missing",
    "threshold": "earlyhelp",
    "thresholds": "earlyhelp",
    "mash": "earlyhelp",
    "accommodation": "leavers",
    "housing": "leavers",
    "advocacy": "advocate",
    "advocates": "advocate",
    "fgcs": "fgc",
    "iros": "iro",
    "chairs": "chairs",
    "adoption": "permanence",
    "permanency": "permanence",
    "drift": "permanence",
    "sgo": "permanence",
    "sgos": "permanence",
    "delegated": "delegated",
    "kpi": "performance",
    "kpis": "performance",
    "dashboard": "performance",
    "metrics": "performance",
    "indicators": "performance",
    "data": "performance",
    "scrutiny": "scrutiny",
    "scrutinise": "scrutiny",
    "neglect": "neglect",
    "neglected": "neglect",
    "judges": "familyjustice",
    "judiciary": "familyjustice",
    "cafcass": "familyjustice",
    "cutting": "fgm",
    "scrs": "scr",
    "notifications": "scr",
    "notification": "scr",
    "quicker": "permanence",
    "delay": "permanence",
    "delays": "permanence",
    "escalate": "oversight",
    "escalated": "oversight",
    "escalation": "oversight",
    "decisions": "decisions",
    "assessments": "quality",
    "templates": "quality",
    "template": "quality",
    "inconsistent": "consistency",
    "inconsistency": "consistency",
    "consistently": "consistency",
    "chronology": "recording",
    "chronologies": "recording",
    "leavers": "workforce",
    "leaving": "workforce",
    "recruited": "workforce",
    "recruit": "workforce",
    "burnout": "workforce",
    "restructure": "workforce",
    "placements": "cared",
    "placement": "cared",
    "pep": "cared",
    "peps": "cared",
    "scorecard": "performance",
    "missing": "returninterview",
    "exploitation": "returninterview",
    "referral": "earlyhelp",
    "referrals": "earlyhelp",
    "commissioned": "commissioning",
    "commission": "commissioning",
    "provider": "commissioning",
    "providers": "commissioning",
    "contract": "commissioning",
    "contracts": "commissioning",
    "tender": "commissioning",
    "procurement": "commissioning",
    "kinship": "connected",
    "grandparents": "connected",
    "grandparent": "connected",
    "conference": "chairs",
    "conferences": "chairs",
    "icpc": "chairs",
    "icpcs": "chairs",
    "guardianship": "permanence",
    "adopted": "permanence",
    "adopter": "permanence",
    "adopters": "permanence",
    "matching": "permanence",
    "explain": "reasons",
    "explained": "reasons",
    "why": "reasons",
    "sleepover": "delegated",
    "sleepovers": "delegated",
    "haircut": "delegated",
    "permission": "delegated",
    "consent": "delegated",
    "dataset": "performance",
    "figures": "performance",
    "measures": "performance",
    "measure": "performance",
    "board": "board",
    "corporate": "scrutiny",
    "residential": "scrutiny",
    "court": "familyjustice",
    "courts": "familyjustice",
    "hearing": "familyjustice",
    "hearings": "familyjustice",
    "proceedings": "familyjustice",
    "councillors": "hwb",
    "icb": "hwb",
    "priorities": "influence",
    "joint": "influence",
    "partnership": "influence",
    "jsna": "hwb",
    "ccg": "hwb",
    "midwife": "fgm",
    "midwives": "fgm",
    "cut": "fgm",
    "notified": "scr",
}
_PHRASE_RE = re.compile(
    r"\b("
    + "|".join(re.escape(p) for p in sorted(_PHRASES, key=len, reverse=True))
    + r")\b"
)


def stem(word: str) -> str:
    """A light suffix-stripper (also keys the recurring phrases of summaries)."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)] + keep
    return word


@dataclass(frozen=True)
class Glossary:
    """Staff abbreviations and their expansions (portal/tagging/glossary.py)."""

    terms: dict[str, str]

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        return glossary.expander(self.terms)

    def expand(self, text: str) -> str:
        return glossary.expand(text, self.terms, self.pattern)


DEFAULT_GLOSSARY = Glossary(dict(glossary.DEFAULT_TERMS))


def tokens(text: str, terms: Glossary | None = None) -> list[str]:
    """Lower-case words, abbreviations expanded, domain phrases and synonyms
    mapped, stemmed."""
    if terms is not None:
        text = terms.expand(text)
    lowered = _PHRASE_RE.sub(lambda m: " " + _PHRASES[m.group(1)] + " ", text.lower())
    words = []
    for word in _WORD.findall(lowered):
        if word in _STOP or len(word) < 2:
            continue
        words.append(stem(_SYNONYMS.get(word, word)))
    return words


@dataclass(frozen=True)
class Candidate:
    kind: str  # "rec" or "theme"
    id: int
    label: str


# Set on bench/data/suggestions-eval.json and checked on ../shared/eval
# (bench/suggestions.py, docs/benchmarks.md): of suggestions scoring at least
# STRONG, about three in four were right on the texts not used to set them; between
# POSSIBLE and STRONG, about one in three; below POSSIBLE, about one in eight, so
# those are not shown. The score is BM25 on the text's own words, so the same
# number means the same on every item, unlike a share of the best candidate.
STRONG = 9.0
POSSIBLE = 4.5


@dataclass(frozen=True)
class Suggestion:
    candidate: Candidate
    raw: float  # BM25 score

    @property
    def key(self) -> str:
        return f"{self.candidate.kind}:{self.candidate.id}"

    @property
    def confidence(self) -> str:
        return "Strong match" if self.raw >= STRONG else "Possible match"


class Index:
    """BM25 statistics over the candidates' documents."""

    def __init__(
        self,
        documents: dict[Candidate, list[str]],
        terms: Glossary = DEFAULT_GLOSSARY,
    ) -> None:
        self.glossary = terms
        self.documents = {c: Counter(words) for c, words in documents.items()}
        self.lengths = {c: max(len(words), 1) for c, words in documents.items()}
        count = max(len(documents), 1)
        self.average = sum(self.lengths.values()) / count
        frequency: Counter[str] = Counter()
        for words in self.documents.values():
            frequency.update(words.keys())
        self.idf = {
            word: math.log(1 + (count - n + 0.5) / (n + 0.5))
            for word, n in frequency.items()
        }

    def scores(self, query: Iterable[str]) -> dict[Candidate, float]:
        terms = Counter(query)
        result = {}
        for candidate, words in self.documents.items():
            norm = K1 * (1 - B + B * self.lengths[candidate] / self.average)
            total = 0.0
            for term, repeats in terms.items():
                tf = words.get(term, 0)
                if tf:
                    total += repeats * self.idf[term] * tf * (K1 + 1) / (tf + norm)
            if total > 0:
                result[candidate] = total
        return result


def _item_text(item: Submission) -> str:
    return " ".join(getattr(item, name) or "" for name in ANSWER_FIELDS)


def build_index(session: Session) -> Index:
    """Documents for every recommendation and theme still in use, grown with what
    planners tagged and shrunk by what they dismissed."""
    terms = Glossary(glossary.terms(session))
    documents: dict[Candidate, list[str]] = {}
    learned_recs = _learned(
        session, RecommendationTag, RecommendationTag.recommendation_id, terms
    )
    learned_themes = _learned(session, ThemeTag, ThemeTag.theme_id, terms)
    recommendations = session.scalars(
        select(Recommendation)
        .where(Recommendation.retired_at.is_(None))
        .options(selectinload(Recommendation.areas))
    )
    for rec in recommendations:
        words = tokens(rec.text, terms)
        for area in rec.areas:
            words += tokens(area.title, terms) * 2 + tokens(area.description, terms)
        candidate = Candidate("rec", rec.id, f"{rec.code}: {rec.text}")
        documents[candidate] = words + learned_recs.get(rec.id, [])
    for theme in session.scalars(select(Theme).where(Theme.retired_at.is_(None))):
        candidate = Candidate("theme", theme.id, theme.name)
        words = tokens(theme.name, terms) * 2 + tokens(theme.description, terms)
        documents[candidate] = words + learned_themes.get(theme.id, [])
    _unlearn_dismissed(session, documents, terms)
    return Index(documents, terms)


def _unlearn_dismissed(
    session: Session, documents: dict[Candidate, list[str]], terms: Glossary
) -> None:
    """A dismissal is a negative example: the item's words count against the
    dismissed recommendation or theme (never below its own wording)."""
    by_key = {(c.kind, c.id): c for c in documents}
    rows = session.execute(
        select(SuggestionDismissal.candidate_kind, SuggestionDismissal.candidate_id,
               *(getattr(Submission, name) for name in ANSWER_FIELDS))
        .join(Submission, Submission.id == SuggestionDismissal.submission_id)
        .order_by(SuggestionDismissal.dismissed_at.desc())
        .limit(LEARNED_PER_TAG * 20)
    )  # fmt: skip
    for row in rows:
        candidate = by_key.get((row.candidate_kind, row.candidate_id))
        if candidate is None:
            continue
        against = Counter(
            tokens(" ".join(getattr(row, n) or "" for n in ANSWER_FIELDS), terms)
        )
        kept = Counter(documents[candidate])
        kept.subtract({w: min(n, kept[w] - 1) for w, n in against.items() if w in kept})
        documents[candidate] = list(kept.elements())


def _learned(
    session: Session,
    tag: type[RecommendationTag] | type[ThemeTag],
    column: InstrumentedAttribute[int],
    terms: Glossary,
) -> dict[int, list[str]]:
    """Words from input people tagged to each recommendation or theme (the engine
    learns from them): the latest LEARNED_PER_TAG items per tag, in one query."""
    ranked = (
        select(
            column.label("tag_id"),
            *(getattr(Submission, name) for name in ANSWER_FIELDS),
            func.row_number()
            .over(partition_by=column, order_by=tag.applied_at.desc())
            .label("rank"),
        )
        .join(Submission, Submission.id == tag.submission_id)
        .subquery()
    )
    learned: dict[int, list[str]] = {}
    rows = session.execute(select(ranked).where(ranked.c.rank <= LEARNED_PER_TAG))
    for row in rows:
        text = " ".join(getattr(row, name) or "" for name in ANSWER_FIELDS)
        learned.setdefault(row.tag_id, []).extend(tokens(text, terms))
    return learned


def suggest(
    index: Index, text: str, *, per_kind: int = 3, floor: float = POSSIBLE
) -> list[Suggestion]:
    """The best few recommendations and themes for the text, best first, leaving
    out any scoring below ``floor``: a weak first choice is not shown as best."""
    scored = index.scores(tokens(text, index.glossary))
    result: list[Suggestion] = []
    for kind in ("rec", "theme"):
        ranked = sorted(
            ((c, s) for c, s in scored.items() if c.kind == kind and s >= floor),
            key=lambda pair: (-pair[1], pair[0].id),
        )[:per_kind]
        result.extend(Suggestion(c, round(s, 2)) for c, s in ranked)
    return result


def suggest_for(session: Session, item: Submission) -> list[Suggestion]:
    return suggest(build_index(session), _item_text(item))
