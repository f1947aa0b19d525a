"""Names: what most often identifies a child or family in staff writing.

Names come from three kinds of evidence, each cheap and linear in the text:
- a gazetteer of forenames and surnames shipped as data (data/SOURCES.md);
- context: family and role words ("Mum, Kerry Walsh"), titles ("Mr Jones", the
  title itself never marked), "the Okafor family", brackets after a role
  ("Dad (Marcus)"), apposition ("the eldest, Jade,"), possessives and verbs of
  speech after an unknown capitalised word ("Kojo said");
- spreading: a found forename takes the surname after it, coordinated names
  ("Twins Amy and Zoe") share the finding, and every later mention is marked.
A stop list of domain words (teams, services, Acts, places, months) and of common
words that are also names ("Will", "May") keeps ordinary capitalised words out.
Lower-case and all-capitals notes are read with the gazetteer and context only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from portal.privacy.findings import Finding

DATA = Path(__file__).resolve().parent / "data"

_WORD = re.compile(r"[^\W\d_]{1,30}+(?:['’][^\W\d_]{1,20}+)?(?:-[^\W\d_]{1,30}+){0,3}")
_FAMILY = frozenset(
    "mum mom mummy mother dad daddy father nan nana nanna nanny gran granny grandma "
    "grandad grandpa grandmother grandfather sister sisters brother brothers sibling "
    "siblings son sons daughter daughters baby babies child children toddler boy boys "
    "girl girls aunt auntie aunty uncle cousin stepdad stepmum stepfather stepmother "
    "stepbrother stepsister carer carers partner boyfriend girlfriend niece nephew "
    "twin twins triplets infant teenager lad pupil eldest oldest youngest middle "
    "called named husband wife ex fiance fiancee guardian kinship".split()
)
_TITLES = frozenset("mr mrs ms miss mx dr master".split())
_FAMILY_AFTER = frozenset(
    "family families children kids household boys girls siblings twins brothers "
    "sisters".split()
)
_SPEECH = frozenset(
    "said says told tells asked asks wants wanted is was has had disclosed "
    "reported rang called came went refused feels felt needs lives lived moved "
    "turned turns will would can could does did".split()
)
_JOIN = frozenset({"and", "&", "or", ",", "+"})
_ACRONYM_PLURAL = re.compile(r"[A-Z]{2,}s")
# A capital inside a word, not after a hyphen or apostrophe ("DfE", "iPad"); all
# capitals are judged separately.
_INNER_CAPITAL = re.compile(r"(?<=[a-z])[A-Z]$|^[a-z]+[A-Z]")


@cache
def _list(*names: str) -> frozenset[str]:
    words: set[str] = set()
    for name in names:
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                words.add(line.strip().casefold())
    return frozenset(words)


def forenames() -> frozenset[str]:
    return _list("census-forenames.txt", "uk-forenames.txt")


def surnames() -> frozenset[str]:
    return _list("census-surnames.txt", "uk-surnames.txt")


@cache
def _very_common() -> frozenset[str]:
    """The 3,000 most frequent ordinary words: never a name, even after "Mum,"
    (the list is in frequency order; further down it holds many names)."""
    lines = (DATA / "common-words.txt").read_text(encoding="utf-8").splitlines()
    words = [w for w in lines if w and not w.startswith("#")]
    return frozenset(words[:3000])


_GAELIC = re.compile(r"(?:O['’]|Mc|Mac)[A-Z]")


def _known(word: str, names: frozenset[str]) -> bool:
    """In the list, or made of names ("Ava-Grace"), or O'/Mc/Mac + capital."""
    key = word.casefold()
    if key in names or _GAELIC.match(word):
        return True
    parts = [p for p in re.split(r"[-'’]", key) if p]
    return len(parts) > 1 and all(p in names for p in parts)


class _Token:
    __slots__ = ("text", "start", "end", "key", "capital", "sentence_start")

    def __init__(self, match: re.Match[str], text: str) -> None:
        word = match.group(0)
        if word[-2:] in ("'s", "’s") and len(word) > 3:
            word = word[:-2]  # the possessive is not part of the name
        self.text, self.start = word, match.start()
        self.end = self.start + len(word)
        self.key = word.casefold()
        self.capital = word[0].isupper() and not (word.isupper() and len(word) > 1)
        before = text[max(0, self.start - 3) : self.start].rstrip(" \"'“‘(")
        self.sentence_start = not before or before[-1] in ".!?\n:;"


def _mode(text: str) -> str:
    """How the note is written: ordinary capitals, all capitals, or all lower."""
    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters) / max(1, len(letters))
    if upper > 0.7:
        return "upper"
    if upper < 0.015:
        return "lower"
    return "mixed"


class _Reader:
    """One text's tokens and what is known of each."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = [_Token(m, text) for m in _WORD.finditer(text)]
        self.mode = _mode(text)
        self.first, self.last = forenames(), surnames()
        self.common = _list("common-words.txt")
        self.very_common = _very_common()
        self.domain = _list("domain-words.txt")
        self.ambiguous = _list("ambiguous-names.txt")
        self.is_name = [False] * len(self.tokens)

    def gap(self, i: int, j: int) -> str:
        return self.text[self.tokens[i].end : self.tokens[j].start]

    def word_like_a_name(self, i: int) -> bool:
        """Written as a name could be, and not a word that never is one. Cheap
        set look-ups come first: this runs for every word of every answer."""
        token = self.tokens[i]
        key, text = token.key, token.text
        if len(key) < 2 or key in self.domain or key in _TITLES or key in _FAMILY:
            return False
        lower_case = text.islower()
        if lower_case and (
            self.mode == "upper"
            or key in self.common
            or (self.mode == "mixed" and len(key) < 4)
        ):
            return False  # ordinary lower-case words: nearly every token
        if not lower_case and (
            _ACRONYM_PLURAL.fullmatch(text) or _INNER_CAPITAL.search(text)
        ):
            if not _GAELIC.match(text):
                return False  # "SGOs", "DfE", "iPad": not written like a name
        if self.mode == "upper" and text[:1].isupper() and not text.isupper():
            return True  # "MUM Kerry CALLED": written differently from the rest
        if self.mode == "mixed" and token.capital:
            return True
        if key in self.common or key in self.ambiguous:
            return False
        if self.mode == "mixed" and text.isupper():
            # An all-capitals name in ordinary text: "DANIELLE FROST", "baby RIO".
            return len(key) >= 3 and (
                _known(text, self.first) or _known(text, self.last)
            )
        if self.mode == "mixed":
            # A lower-case name in ordinary text: "sophie-leigh asked me".
            return _known(text, self.first)
        return _known(text, self.first) or _known(text, self.last)

    def with_context(self, i: int) -> bool:
        """Could be a name where context says one is expected."""
        token = self.tokens[i]
        if (
            self.mode == "mixed"
            and token.text.isupper()
            and len(token.key) >= 3
            and token.key not in self.common
            and token.key not in self.domain
        ):
            return True  # "baby RIO"
        if not self.word_like_a_name(i):
            return False
        return (
            token.key not in self.very_common
            or _known(token.text, self.first)
            or _known(token.text, self.last)
        )

    def on_its_own(self, i: int) -> bool:
        """A name without any context: a forename that is not also a word."""
        token = self.tokens[i]
        return (
            self.word_like_a_name(i)
            and _known(token.text, self.first)
            and token.key not in self.ambiguous
        )


def names(text: str) -> Iterator[Finding]:
    reader = _Reader(text)
    for i in range(len(reader.tokens)):
        if _initial_and_surname(reader, i):
            reader.is_name[i] = reader.is_name[i + 1] = True  # "A. Begum"
        if reader.word_like_a_name(i) and not reader.is_name[i]:
            reader.is_name[i] = _evidence(reader, i)
    _spread(reader)
    yield from _spans(reader)


def _initial_and_surname(reader: _Reader, i: int) -> bool:
    tokens = reader.tokens
    return (
        len(tokens[i].text) == 1
        and tokens[i].text.isupper()
        and i + 1 < len(tokens)
        and reader.gap(i, i + 1) == ". "
        and tokens[i + 1].capital
        and _known(tokens[i + 1].text, reader.last)
    )


def _evidence(reader: _Reader, i: int) -> bool:
    """Whether this token is a name, from its context or the name lists."""
    tokens = reader.tokens
    previous = tokens[i - 1] if i else None
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    gap_before = reader.gap(i - 1, i) if previous else ""
    if previous is not None and previous.key in _TITLES and len(gap_before) <= 2:
        return reader.with_context(i)  # "Mr Jones": never the title itself
    if (
        previous is not None
        and previous.key in _FAMILY
        and _ROLE_GAP.fullmatch(gap_before)
    ):
        return reader.with_context(i)  # "Mum, Kerry", "Dad (Marcus)"
    if (
        following is not None
        and following.key in _FAMILY_AFTER
        and previous is not None
        and previous.key == "the"
    ):
        return reader.with_context(i)  # "the Okafor family"
    if reader.on_its_own(i):
        return True
    if following is not None and _forename_then_surname(reader, i):
        return True  # "Will Henshaw", "Hope Mitchell"
    return _speaks_or_owns(reader, i) or _shaped_like_a_name(reader, i)


_ROLE_GAP = re.compile(r"\s?[,:(\-]?\s?")


def _forename_then_surname(reader: _Reader, i: int) -> bool:
    token, following = reader.tokens[i], reader.tokens[i + 1]
    return (
        token.capital
        and following.capital
        and reader.gap(i, i + 1) == " "
        and _known(token.text, reader.first)
        and _known(following.text, reader.last)
        and following.key not in reader.domain
    )


def _speaks_or_owns(reader: _Reader, i: int) -> bool:
    """An unknown capitalised word mid-sentence, then "'s" or a verb of speech or
    state: "Kojo said", "Chidi's school"."""
    tokens, token = reader.tokens, reader.tokens[i]
    if reader.mode != "mixed" or token.sentence_start or token.key in reader.common:
        return False
    if reader.text[token.end : token.end + 2] in ("'s", "’s"):
        return True
    return (
        i + 1 < len(tokens)
        and tokens[i + 1].key in _SPEECH
        and reader.gap(i, i + 1) == " "
    )


_PERSON_VERBS = frozenset(
    "for with visited visit visiting saw see seeing met meet told asked helped "
    "supporting support supported placed moved called named about".split()
)
_AFTER_NAME = re.compile(r",? ?\(?\d|, (?:who|whose|aged|now)\b")


def _shaped_like_a_name(reader: _Reader, i: int) -> bool:
    """A capitalised word that is in no word list, where a person is expected:
    starting a sentence and then a verb, a surname-like word, an age or "'s";
    or after a verb or preposition about people ("visits for Tobenna")."""
    tokens, token = reader.tokens, reader.tokens[i]
    if (
        reader.mode != "mixed"
        or not token.capital
        or len(token.key) < 3
        or token.key in reader.common
        or token.key in reader.ambiguous
    ):
        return False
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    if following is not None and reader.gap(i, i + 1) == " ":
        if following.key in _SPEECH:
            return True  # "Tobenna said", even starting a sentence
        if following.capital and following.key not in reader.common:
            return following.key not in reader.domain  # "Tobenna Okeke"
    if _AFTER_NAME.match(reader.text, token.end):
        return True  # "Tobenna, 7,", "Tobenna (7)", "Tobenna, who"
    previous = tokens[i - 1] if i else None
    return (
        previous is not None
        and previous.key in _PERSON_VERBS
        and reader.gap(i - 1, i) == " "
    )


def _spread(reader: _Reader) -> None:
    """A found name takes the surname after it and the names coordinated with
    it; then every other mention of a found name is marked, and initials."""
    for _ in range(3):  # each round only adds; three settle every pattern here
        added = [
            j
            for i in range(len(reader.tokens))
            if reader.is_name[i]
            for j in _neighbours(reader, i)
            if not reader.is_name[j]
        ]
        for j in added:
            reader.is_name[j] = True
        if not added:
            break
    _later_mentions(reader)
    _initials(reader)


def _neighbours(reader: _Reader, i: int) -> Iterator[int]:
    """Tokens a found name at ``i`` makes names too."""
    tokens = reader.tokens
    if i + 1 < len(tokens):
        gap, following = reader.gap(i, i + 1), tokens[i + 1]
        surname = _known(following.text, reader.last) and (
            following.capital or following.text.isupper()
        )
        if gap == " " and (reader.with_context(i + 1) or surname):
            yield i + 1  # "Kerry Walsh"
        if gap.strip() in (",", "&") and reader.on_its_own(i + 1):
            yield i + 1  # "Chidi, Amara"
    for j in (i - 2, i + 2):
        if 0 <= j < len(tokens):
            middle = (i + j) // 2
            gaps = reader.gap(min(i, j), middle) + reader.gap(middle, max(i, j))
            if (
                tokens[middle].key in _JOIN
                and len(gaps) <= 4
                and reader.with_context(j)
            ):
                yield j  # "Amy and Zoe"


def _later_mentions(reader: _Reader) -> None:
    tokens = reader.tokens
    found = {t.key for t, named in zip(tokens, reader.is_name, strict=True) if named}
    for i, token in enumerate(tokens):
        if token.key in found and len(token.key) > 1 and reader.word_like_a_name(i):
            reader.is_name[i] = True


def _initials(reader: _Reader) -> None:
    tokens = reader.tokens
    for i in range(1, len(tokens)):
        initial = tokens[i - 1]
        if reader.is_name[i] and len(initial.text) == 1 and initial.text.isupper():
            if reader.gap(i - 1, i) in (". ", " "):
                reader.is_name[i - 1] = True  # "A. Begum"


def _spans(reader: _Reader) -> Iterator[Finding]:
    """Adjacent name tokens (one space apart) make one span: the full name."""
    tokens, is_name = reader.tokens, reader.is_name
    i = 0
    while i < len(tokens):
        if not is_name[i]:
            i += 1
            continue
        start, end = tokens[i].start, tokens[i].end
        j = i + 1
        while (
            j < len(tokens)
            and is_name[j]
            and (
                reader.gap(j - 1, j) == " "
                or (len(tokens[j - 1].text) == 1 and reader.gap(j - 1, j) == ". ")
            )
        ):
            end = tokens[j].end
            j += 1
        yield Finding(start, end, "name")
        i = j
