"""Suggested tags, computed here and offline.

Each recommendation and theme is scored against the text with Okapi BM25 over
several short documents: its own wording (a recommendation's text and its areas'
titles and descriptions; a theme's name and description), and each of its
*examples*: the example comments the framework gives for its areas, so a fresh
install is not cold, and every item people have tagged to it. A candidate's score
is its wording's score plus the sum of its best EXAMPLES_COUNTED example scores,
less the same over the items people said "not this one" about.

Why examples one by one and not one long document per candidate: a comment is
usually about one facet of an area, and a long document dilutes that facet among
all the others (measured while choosing, on the shared texts: 0.76 against 0.71
top-1, before the examples' abbreviations were expanded).
Counting only the best few keeps the score on one scale however many examples a
candidate has, so the same number means the same on every item.

Words are normalised through portal/tagging/vocabulary.py, so "supervision" meets
"oversight" and "LAC" meets "cared for". Suggestions are only ever shown; a person
accepts or ignores each one.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache

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
from portal.tagging import glossary, vocabulary

K1 = 1.4
B = 0.75
EXAMPLES_COUNTED = 3  # best-matching examples (and dismissals) per candidate
LEARNED_PER_TAG = 200  # most recent tagged items that feed each candidate


@dataclass(frozen=True, eq=False)
class Glossary:
    """Staff abbreviations and their expansions (portal/tagging/glossary.py).
    Equal glossaries hash alike, so tokens of reference wording can be cached
    per glossary."""

    terms: dict[str, str]

    @cached_property
    def key(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(self.terms.items()))

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        return glossary.expander(self.terms)

    def expand(self, text: str) -> str:
        return glossary.expand(text, self.terms, self.pattern)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Glossary) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)


DEFAULT_GLOSSARY = Glossary(dict(glossary.DEFAULT_TERMS))


def tokens(text: str, terms: Glossary | None = None) -> list[str]:
    """Lower-case words, abbreviations expanded, domain phrases and synonyms
    mapped, stemmed."""
    if terms is not None:
        text = terms.expand(text)
    return vocabulary.words(text)


@lru_cache(maxsize=4096)
def _reference_tokens(text: str, terms: Glossary) -> tuple[str, ...]:
    """Tokens of reference wording (recommendations, areas and their examples,
    themes), the same on every request until it or the glossary changes. Never
    for staff input: a cache would keep words that a redaction has overwritten."""
    return tuple(tokens(text, terms))


def _reference(text: str, terms: Glossary) -> list[str]:
    return list(_reference_tokens(text, terms))


@lru_cache(maxsize=16)
def _glossary(key: tuple[tuple[str, str], ...]) -> Glossary:
    return Glossary(dict(key))  # its pattern compiled once, not per request


@dataclass(frozen=True)
class Candidate:
    kind: str  # "rec" or "theme"
    id: int
    label: str


# Set on bench/data/suggestions-eval.json and checked on ../shared/eval and the
# held-out texts (bench/suggestions.py, docs/benchmarks.md): see there for the share
# of suggestions right in each band. Below POSSIBLE few are right, so those are not
# shown. The score is BM25 on the text's own words scaled by its length, so the same
# number means the same on every item, unlike a share of the best candidate.
STRONG = 10.0
POSSIBLE = 6.0


@dataclass(frozen=True)
class Suggestion:
    candidate: Candidate
    raw: float  # BM25 score over the square root of the text's length

    @property
    def key(self) -> str:
        return f"{self.candidate.kind}:{self.candidate.id}"

    @property
    def confidence(self) -> str:
        return "Strong match" if self.raw >= STRONG else "Possible match"


Documents = dict[Candidate, list[list[str]]]
_WORDING, _EXAMPLE, _AGAINST = 0, 1, 2


class Index:
    """BM25 statistics over every candidate's wording and examples, with an
    inverted index so a query touches only the documents sharing a word with it."""

    def __init__(
        self,
        wording: dict[Candidate, list[str]],
        examples: Documents | None = None,
        against: Documents | None = None,
        terms: Glossary = DEFAULT_GLOSSARY,
    ) -> None:
        self.glossary = terms
        self.wording = wording
        self.examples = examples or {}
        self.against = against or {}
        owners: list[tuple[Candidate, int]] = []
        counted: list[Counter[str]] = []
        for role, documents in ((_EXAMPLE, self.examples), (_AGAINST, self.against)):
            for candidate, lists in documents.items():
                for words in lists:
                    owners.append((candidate, role))
                    counted.append(Counter(words))
        for candidate, words in wording.items():
            owners.append((candidate, _WORDING))
            counted.append(Counter(words))
        self.owners = owners
        # What a candidate is about is learned from its wording and examples;
        # dismissed items are scored on those statistics but do not shape them.
        evidence = [c for c, (_, role) in zip(counted, owners, strict=True)
                    if role != _AGAINST]  # fmt: skip
        count = max(len(evidence), 1)
        average = sum(sum(c.values()) for c in evidence) / count or 1.0
        frequency: Counter[str] = Counter()
        for counts in evidence:
            frequency.update(counts.keys())
        self.idf = {
            word: math.log(1 + (count - n + 0.5) / (n + 0.5))
            for word, n in frequency.items()
        }
        self.norms = [
            K1 * (1 - B + B * max(sum(c.values()), 1) / average) for c in counted
        ]
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for number, counts in enumerate(counted):
            for word, tf in counts.items():
                if word in self.idf:
                    self.postings[word].append((number, tf))

    def scores(self, query: Iterable[str]) -> dict[Candidate, float]:
        per_document: dict[int, float] = defaultdict(float)
        for term, repeats in Counter(query).items():
            idf = self.idf.get(term)
            if idf is None:
                continue
            for number, tf in self.postings[term]:
                weight = tf * (K1 + 1) / (tf + self.norms[number])
                per_document[number] += repeats * idf * weight
        wording: dict[Candidate, float] = {}
        found: dict[tuple[Candidate, int], list[float]] = defaultdict(list)
        for number, score in per_document.items():
            candidate, role = self.owners[number]
            if role == _WORDING:
                wording[candidate] = score
            else:
                found[candidate, role].append(score)
        result = {}
        for candidate in set(wording) | {c for c, role in found if role == _EXAMPLE}:
            like = _best(found.get((candidate, _EXAMPLE)))
            unlike = _best(found.get((candidate, _AGAINST)))
            # A dismissal takes back what examples gave, never the wording itself.
            total = wording.get(candidate, 0.0) + max(0.0, like - unlike)
            if total > 0:
                result[candidate] = total
        return result


def _best(scores: list[float] | None) -> float:
    return sum(sorted(scores or (), reverse=True)[:EXAMPLES_COUNTED])


def _item_text(item: Submission) -> str:
    return " ".join(getattr(item, name) or "" for name in ANSWER_FIELDS)


def build_index(session: Session) -> Index:
    """Documents for every recommendation and theme still in use: their wording,
    their areas' example comments and what planners tagged, against what they
    dismissed."""
    terms = _glossary(tuple(sorted(glossary.terms(session).items())))
    wording: dict[Candidate, list[str]] = {}
    examples: Documents = {}
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
        words = _reference(rec.text, terms)
        candidate = Candidate("rec", rec.id, f"{rec.code}: {rec.text}")
        examples[candidate] = list(learned_recs.get(rec.id, []))
        for area in rec.areas:
            words += _reference(area.title, terms) * 2
            words += _reference(area.description, terms)
            examples[candidate] += [_reference(e, terms) for e in area.example_comments]
        wording[candidate] = words
    for theme in session.scalars(select(Theme).where(Theme.retired_at.is_(None))):
        candidate = Candidate("theme", theme.id, theme.name)
        wording[candidate] = _reference(theme.name, terms) * 2 + _reference(
            theme.description, terms
        )
        examples[candidate] = list(learned_themes.get(theme.id, []))
    return Index(wording, examples, _dismissed(session, wording, terms), terms)


def _dismissed(
    session: Session, candidates: Iterable[Candidate], terms: Glossary
) -> Documents:
    """A dismissal is a negative example: items like the dismissed one score less
    for that recommendation or theme."""
    by_key = {(c.kind, c.id): c for c in candidates}
    rows = session.execute(
        select(SuggestionDismissal.candidate_kind, SuggestionDismissal.candidate_id,
               *(getattr(Submission, name) for name in ANSWER_FIELDS))
        .join(Submission, Submission.id == SuggestionDismissal.submission_id)
        .order_by(SuggestionDismissal.dismissed_at.desc())
        .limit(LEARNED_PER_TAG * 20)
    )  # fmt: skip
    against: Documents = {}
    for row in rows:
        candidate = by_key.get((row.candidate_kind, row.candidate_id))
        if candidate is not None:
            text = " ".join(getattr(row, n) or "" for n in ANSWER_FIELDS)
            against.setdefault(candidate, []).append(tokens(text, terms))
    return against


def _learned(
    session: Session,
    tag: type[RecommendationTag] | type[ThemeTag],
    column: InstrumentedAttribute[int],
    terms: Glossary,
) -> dict[int, list[list[str]]]:
    """Input people tagged to each recommendation or theme, one example per item
    (the engine learns from them): the latest LEARNED_PER_TAG items per tag, in
    one query."""
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
    learned: dict[int, list[list[str]]] = {}
    rows = session.execute(select(ranked).where(ranked.c.rank <= LEARNED_PER_TAG))
    for row in rows:
        text = " ".join(getattr(row, name) or "" for name in ANSWER_FIELDS)
        learned.setdefault(row.tag_id, []).append(tokens(text, terms))
    return learned


def suggest(
    index: Index, text: str, *, per_kind: int = 3, floor: float = POSSIBLE
) -> list[Suggestion]:
    """The best few recommendations and themes for the text, best first, leaving
    out any scoring below ``floor``: a weak first choice is not shown as best."""
    words = tokens(text, index.glossary)
    # A long text shares more words with every candidate, so its scores run higher.
    # Divided by the square root of its length, a band meant about the same share
    # right on short and long texts alike (bench/suggestions.py); dividing by the
    # length itself over-corrects, since long texts mix subjects.
    scale = math.sqrt(max(len(words), 1))
    scored = {c: s / scale for c, s in index.scores(words).items()}
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
