"""Ages and dates of birth, the other details that pin a child down in prose.

Ages: "aged 7", "7 years old", "a 2-year-old", and bare numbers where they are a
person's age: "Priya, 7,", "Priya (7)", "she is 7", "now 2", "turned 15". Counts
and deadlines ("a caseload of 15", "within 10 days") are left alone.
Dates of birth: every date after a birth word up to the end of that sentence
("DOBs 1/2/15 and 3/4/17"), and a recent date written right beside a name.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from datetime import date

from portal.privacy.findings import Finding

# Ages.
_AGE_UNIT = r"(?:years?|yrs?|months?|mths?|weeks?|wks?|days?)"
_AGE = re.compile(
    r"(?i)\b(?:aged?:?\s?+\d{1,2}(?:\s?" + _AGE_UNIT + r")?(?:\s?old)?"
    r"|\d{1,2}(?:[- ]?" + _AGE_UNIT + r")[- ]?old"
    r"|\d{1,2}-year-old)\b"
)
_BARE_AGE_AFTER = re.compile(
    r"(?i)\b(?:he|she|they|who|i|you)(?:\s(?:is|was|are|were|'s|’s)|'s|’s)?"
    r"(?:\s(?:now|just|only|nearly|almost|already))?(?:\s(?:turned|turns|is))?"
    r"\s(\d{1,2})\b(?!\s?(?:%|am\b|pm\b|:|\.\d|days?|hours?|minutes?|cases?|times?|"
    r"of\b|out\b|people|staff|children|kids|weeks?|months?|years?|visits?))"
)
_NUMBER_AFTER_NAME = re.compile(
    r"(?:\s?,\s?|\s?\(\s?|\s)(\d{1,2}(?:\s?" + _AGE_UNIT + r"(?:\s?old)?)?)"
    r"\s?(?:,|\)|\.(?!\d)|;|\s-|\s(?:and|has|is|was|who)\b)"
)
_VERB_AGE = re.compile(
    r"\s(?:is|was|'s|’s)?\s?(?:now|just|only|nearly|almost|already)?\s?"
    r"(?:turned|turns|is)?\s?(\d{1,2})\b(?!\s?(?:%|am\b|pm\b|:|\.\d|days?|hours?|"
    r"minutes?|cases?|times?|of\b|out\b|people|staff|weeks?|months?|visits?))"
)


def ages(text: str, name_spans: list[Finding]) -> Iterator[Finding]:
    for m in _AGE.finditer(text):
        yield Finding(m.start(), m.end(), "age")
    for pattern in (_BARE_AGE_AFTER, _PERSON_NOW, _NOW_AGED):
        yield from _young(pattern.finditer(text), 25)
    yield from _young(
        (
            m
            for m in _COMMA_AGE.finditer(text)
            if _PERSON_WORD.search(text, max(0, m.start() - 40), m.start())
        ),
        19,
    )
    for span in name_spans:
        yield from _age_after_name(text, span)


def _young(matches: Iterator[re.Match[str]], oldest: int) -> Iterator[Finding]:
    for m in matches:
        if int(m.group(1)) <= oldest:
            yield Finding(m.start(1), m.end(1), "age")


def _age_after_name(text: str, span: Finding) -> Iterator[Finding]:
    """ "Jade, 15," "Jade (15)" "Jade 15," "Jade is 15" "Jade turned 15"."""
    after = _NUMBER_AFTER_NAME.match(text, span.end)
    if after and int(after.group(1)[:2].strip()) <= 25:
        yield Finding(after.start(1), after.end(1), "age")
        return
    verb = _VERB_AGE.match(text, span.end)
    if verb and int(verb.group(1)) <= 25 and verb.group(0).strip() != verb.group(1):
        yield Finding(verb.start(1), verb.end(1), "age")


_PERSON_NOW = re.compile(
    r"(?i)\b(?:my|our|the|her|his|their)\s(?:young person|lad|girl|boy|son|daughter|"
    r"child|baby|little one|eldest|youngest)\s(?:is\s|was\s)?(?:now\s|just\s)?"
    r"(?:turned\s|turns\s)?(\d{1,2})\b(?!\s?(?:%|days?|hours?|weeks?|months?|times?))"
)

# "Zofia (date of birth ...), now 13", "Caitlin Doyle (now 16)".
_NOW_AGED = re.compile(
    r"(?i)(?:,|\()\s?now\s(\d{1,2})\b(?!\s?(?:%|days?|weeks?|months?|times?|cases?|of\b))"
)
# "a lad I'm PA for, 16, took an overdose": a bare number between commas soon after
# a word for a young person.
_COMMA_AGE = re.compile(r",\s(\d{1,2}),")
_PERSON_WORD = re.compile(
    r"(?i)\b(?:lad|girl|boy|child|son|daughter|young person|teenager|baby|brother|"
    r"sister|he|she)\b"
)

# Dates of birth.
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
    r"aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = re.compile(
    r"(?i)\b(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})"
    r"|\d{1,2}(?:st|nd|rd|th)?\s" + _MONTHS + r",?\s\d{4}"
    r"|" + _MONTHS + r"\s\d{1,2}(?:st|nd|rd|th)?,?\s\d{4})\b"
)
_DOB_CONTEXT = re.compile(
    r"(?i)\b(?:dobs?|d\.o\.b\.?s?|born|dates? of birth|birthdays?|b\.)(?![a-z])"
)


def _year(value: str) -> int | None:
    found = re.search(r"(\d{4}|\d{2})$", value.strip())
    if not found:
        return None
    year = int(found.group(1))
    return year + (2000 if year < 50 else 1900) if year < 100 else year


def dates_of_birth(text: str, name_spans: list[Finding]) -> Iterator[Finding]:
    """Dates after a birth word, as far as the end of that sentence (so a list
    of them is found), and a recent date written right beside a name."""
    contexts = [m.end() for m in _DOB_CONTEXT.finditer(text)]
    name_ends = sorted(f.end for f in name_spans)
    this_year = date.today().year
    for m in _DATE.finditer(text):
        # The nearest birth word and name before this date (bisect: linear overall).
        context = contexts[bisect_right(contexts, m.start()) - 1] if contexts else -1
        after_context = (
            0 <= context <= m.start()
            and m.start() - context <= 80
            and not _SENTENCE_END.search(text, context, m.start())
        )
        name_end = (
            name_ends[bisect_right(name_ends, m.start()) - 1] if name_ends else -1
        )
        beside_name = (
            0 <= name_end <= m.start()
            and m.start() - name_end <= 3
            and _BESIDE.fullmatch(text, name_end, m.start()) is not None
        )
        year = _year(m.group(0))
        recent = year is not None and this_year - 25 <= year <= this_year
        if after_context or (beside_name and recent):
            yield Finding(m.start(), m.end(), "date_of_birth")


_SENTENCE_END = re.compile(r"[.!?]\s")
_BESIDE = re.compile(r"[\s,(\-]*")
