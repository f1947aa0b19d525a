"""Key phrases of "what would make the biggest difference", so a summary can say
what recurs: "protected time for supervision (7)", not "protected (7)".

A phrase is a run of content words, optionally joined by one small word ("time
for supervision"), two to four content words long, cut at punctuation and at
everything on the stop list (function words and the filler every answer has:
"need", "better", "more"). Similar phrases share a key: their content words,
stemmed and sorted, so "protected supervision time" and "protected time for
supervision" count together. Phrases are stored per item while it is approved
(``refresh`` is called by the lifecycle on every change into or out of approved,
and by redaction), and counted in SQL.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from portal.models import SubjectPhrase, Submission, SubmissionPhrase, SubmissionStatus
from portal.tagging.vocabulary import stem

MIN_WORDS, MAX_WORDS = 2, 4
_JOINERS = frozenset("for of with in on to between from at about".split())
_STOP = frozenset(
    """a about above after again all also am an and any are as at be because been
    before being below best better biggest but by can cannot could did difference do
    does doing done don't each else even every few from get gets getting give go
    going good got had has have having he her here him his how i i'd i'm if in into
    is isn't it it's its just know less like lot lots make makes making many may me
    might more most much must my need needed needs no nobody not now of off often on
    once one only or other our out over own people please properly proper quite
    rather real really right same see should so some someone something still such
    than that that's the their them then there these they thing things think this
    those through time's too under until up us very want was way we we'd we're were
    what when where which while who why will with would yes yet you your""".split()
)
_WORDS = re.compile(r"[a-z][a-z'’-]*|[^a-z\s]")


def _runs(text: str) -> Iterator[list[str]]:
    """Runs of content words, keeping single joiners between them."""
    run: list[str] = []
    for token in _WORDS.findall(text.lower().replace("’", "'")):
        content = token[0].isalpha() and token not in _STOP
        joiner = token in _JOINERS and run and run[-1] not in _JOINERS
        if content:
            run.append(token.strip("'-"))
        elif joiner:
            run.append(token)
        else:
            yield _trim(run)
            run = []
    yield _trim(run)


def _trim(run: list[str]) -> list[str]:
    while run and run[-1] in _JOINERS:
        run = run[:-1]
    return run


def extract(text: str) -> dict[str, str]:
    """Each phrase's key and the words as written, for one answer."""
    found: dict[str, str] = {}
    for run in _runs(text or ""):
        content = [i for i, word in enumerate(run) if word not in _JOINERS]
        for size in range(MIN_WORDS, MAX_WORDS + 1):
            for first in range(len(content) - size + 1):
                start, end = content[first], content[first + size - 1]
                words = run[start : end + 1]
                stems = sorted({stem(w) for w in words if w not in _JOINERS})
                if len(stems) < MIN_WORDS:
                    continue
                key = " ".join(stems)[:120]
                found.setdefault(key, " ".join(words)[:200])
    return found


def refresh(session: Session, item: Submission) -> None:
    """Store the item's phrases if it is approved, else none (and always drop the
    old ones: after a redaction they may hold words that are gone)."""
    session.execute(
        delete(SubmissionPhrase).where(SubmissionPhrase.submission_id == item.id)
    )
    if item.status != SubmissionStatus.APPROVED or item.withdrawn_on is not None:
        return
    rows = extract(item.biggest_difference or "")
    if rows:
        session.add_all(
            SubmissionPhrase(submission_id=item.id, key=key, text=text)
            for key, text in rows.items()
        )
    session.flush()


@dataclass(frozen=True)
class Phrase:
    key: str
    text: str
    items: int


def recurring(
    session: Session,
    subject_type: str,
    subject_id: int,
    round_ids: list[int],
    *,
    limit: int = 8,
) -> list[Phrase]:
    """The phrases most approved items of a summary subject share (at least two
    items each), longest first among equals; a phrase inside a longer one that
    recurs nearly as often is not listed again. Read from the maintained
    ``subject_phrases`` (kept by triggers as items are approved, tagged and
    redacted), not counted over the items."""
    p = SubjectPhrase
    where = [p.subject_type == subject_type, p.subject_id == subject_id]
    if round_ids:
        where.append(p.round_id.in_(round_ids))
    items = func.sum(p.n)
    counted = session.execute(
        select(p.key, items)
        .where(*where)
        .group_by(p.key)
        .having(items >= 2)
        .order_by(items.desc(), p.key)
        .limit(limit * 6)
    ).all()
    if not counted:
        return []
    keys = [str(key) for key, _n in counted]
    surfaces: dict[str, Counter[str]] = {}
    for key, text, n in session.execute(
        select(p.key, p.text, items)
        .where(*where, p.key.in_(keys))
        .group_by(p.key, p.text)
    ):
        surfaces.setdefault(str(key), Counter())[str(text)] += int(n)
    ranked = sorted(
        ((str(k), int(n)) for k, n in counted),
        key=lambda pair: (-pair[1], -len(pair[0].split()), pair[0]),
    )
    chosen: list[Phrase] = []
    for key, n in ranked:
        words = set(key.split())
        phrase = Phrase(key, surfaces[key].most_common(1)[0][0], n)
        same = [c for c in chosen if _overlaps(words, set(c.key.split()), n, c.items)]
        if not same:
            chosen.append(phrase)
        elif len(words) > len(same[0].key.split()):
            # The longer phrase says more ("protected time for supervision").
            chosen[chosen.index(same[0])] = phrase
    return chosen[:limit]


def _overlaps(words: set[str], other: set[str], n: int, other_n: int) -> bool:
    """One phrase inside the other, recurring nearly as often: the same point."""
    return (words <= other or other <= words) and min(n, other_n) >= 0.7 * max(
        n, other_n
    )


def written_as(session: Session, key: str) -> str:
    text = session.scalar(
        select(SubmissionPhrase.text).where(SubmissionPhrase.key == key).limit(1)
    )
    return str(text or key)


def items_with(
    session: Session, key: str, scope: list[ColumnElement[bool]], *, limit: int = 200
) -> list[Submission]:
    return list(
        session.scalars(
            select(Submission)
            .join(SubmissionPhrase, SubmissionPhrase.submission_id == Submission.id)
            .where(*scope, SubmissionPhrase.key == key)
            .order_by(Submission.submitted_on.desc(), Submission.id)
            .limit(limit)
        )
    )


def phrases_missing(session: Session) -> bool:
    """Approved input but no phrases at all: a database from before 0011."""
    approved = session.scalar(
        select(Submission.id).where(Submission.status == SubmissionStatus.APPROVED)
    )
    return (
        approved is not None
        and session.scalar(select(SubmissionPhrase.key).limit(1)) is None
    )


def rebuild_phrases(session: Session, batch: int = 500) -> int:
    """Every approved item, in keyset batches by id (constant memory)."""
    count, after = 0, ""
    while True:
        items = list(
            session.scalars(
                select(Submission)
                .where(
                    Submission.status == SubmissionStatus.APPROVED,
                    Submission.id > after,
                )
                .order_by(Submission.id)
                .limit(batch)
            )
        )
        for item in items:
            refresh(session, item)
        count += len(items)
        if len(items) < batch:
            return count
        after = items[-1].id
        session.expunge_all()
