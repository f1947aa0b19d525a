"""Personal-data and safeguarding checks on free text, before it is stored.

Finds what could identify a child, family or colleague (NHS and National Insurance
numbers, postcodes, pupil numbers, dates of birth and ages, phone numbers, emails,
names after family or role words and titles, house addresses, case references) so the
writer can remove it, and flags text that may be a safeguarding disclosure.

Nothing is ever dropped or blocked here: callers show the findings and let the person
edit or submit anyway. Findings hold positions and kinds only, never a copy of the
text, so redacting the text later leaves nothing behind.

Every pattern is linear: input is capped, quantifiers are bounded or possessive, and
phone numbers and emails are found by cheap anchors before any parsing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import phonenumbers
from stdnum.gb import nhs, upn

from portal.errors import InvalidInput

MAX_SCAN_CHARS = 50_000

LABELS = {
    "nhs_number": "NHS number",
    "ni_number": "National Insurance number",
    "postcode": "Postcode",
    "pupil_number": "Unique Pupil Number",
    "date_of_birth": "Date of birth",
    "age": "Age",
    "phone": "Phone number",
    "email": "Email address",
    "name": "Name",
    "address": "House address",
    "case_reference": "Case reference",
}


@dataclass(frozen=True, order=True)
class Finding:
    start: int
    end: int
    kind: str

    @property
    def label(self) -> str:
        return LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class PrivacySettings:
    """What a council configures: its own office postcodes (not personal data), its
    case-reference formats, and the safeguarding phrase list."""

    office_postcodes: frozenset[str] = frozenset()
    case_patterns: tuple[re.Pattern[str], ...] = ()
    safeguarding_phrases: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, config: dict[str, object]) -> PrivacySettings:
        postcodes = config.get("OFFICE_POSTCODES") or []
        patterns = config.get("CASE_REFERENCE_PATTERNS") or []
        phrases = config.get("SAFEGUARDING_PHRASES") or DEFAULT_SAFEGUARDING_PHRASES
        assert isinstance(postcodes, Iterable) and isinstance(patterns, Iterable)  # noqa: S101
        assert isinstance(phrases, Iterable)  # noqa: S101
        return cls(
            office_postcodes=frozenset(_squash(str(p)) for p in postcodes),
            case_patterns=tuple(re.compile(str(p)) for p in patterns),
            safeguarding_phrases=tuple(str(p).lower() for p in phrases),
        )


# Phrases that suggest a specific child may be at risk now. The council's
# safeguarding lead should own this list (config SAFEGUARDING_PHRASES).
DEFAULT_SAFEGUARDING_PHRASES = (
    "bruise",
    "bruising",
    "burn marks",
    "disclosed to me",
    "told me that her",
    "told me that his",
    "hit her",
    "hit him",
    "hits her",
    "hits him",
    "hurting her",
    "hurting him",
    "sexually abused",
    "touched her",
    "touched him",
    "self-harm",
    "self harm",
    "suicidal",
    "scared to go home",
    "afraid to go home",
    "locked in",
    "not being fed",
    "strangled",
    "choked",
    "being groomed",
    "being exploited",
    "allegation against",
)
_HARM_WORDS = re.compile(
    r"(?i)\b(?:bruis\w*+|hit|hits|hitting|hurt\w*+|injur\w*+|abus\w*+|scared|afraid|"
    r"burn\w*+|slap\w*+|kick\w*+|punch\w*+|neglect\w*+|assault\w*+|frightened)\b"
)

_NHS = re.compile(r"(?<![\d-])(\d{3})[ -]?+(\d{3})[ -]?+(\d{4})(?![\d-])")
# HMRC NIM39110: D, F, I, Q, U, V never used; O never second; some pairs not issued.
_NINO = re.compile(
    r"(?i)\b([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])\s?+(\d{2})\s?+(\d{2})\s?+(\d{2})\s?+([A-D])\b"
)
_NINO_NEVER = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
_POSTCODE = re.compile(
    r"(?i)\b(GIR ?0AA|[A-PR-UWYZ](?:[0-9]{1,2}+|[A-HK-Y][0-9]{1,2}+|[0-9][A-HJKPSTUW]"
    r"|[A-HK-Y][0-9][ABEHMNPRVWXY]) ?[0-9][ABD-HJLNP-UW-Z]{2})\b"
)
_UPN = re.compile(r"(?i)\b[A-Z][0-9]{11}[0-9A-Z]\b")
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
    r"aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = re.compile(
    r"(?i)\b(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})"
    r"|\d{1,2}(?:st|nd|rd|th)?\s" + _MONTHS + r",?\s\d{4}"
    r"|" + _MONTHS + r"\s\d{4})\b"
)
_DOB_CONTEXT = re.compile(r"(?i)\b(?:dob|d\.o\.b\.?|born|date of birth|birthday)\b")
_AGE = re.compile(
    r"(?i)\b(?:aged?:?\s?+(\d{1,2})\b"
    r"|(\d{1,2})[- ]?+(?:years?|yrs?|months?|weeks?)[- ]?+old\b)"
)
_FAMILY_WORDS = (
    r"mum|mom|mummy|mother|dad|daddy|father|nan|nana|nanna|gran|granny|grandma|"
    r"grandad|grandmother|grandfather|sister|brother|sibling|son|daughter|baby|child|"
    r"toddler|boy|girl|aunt|auntie|uncle|cousin|stepdad|stepmum|stepfather|stepmother|"
    r"carer|partner|boyfriend|girlfriend|niece|nephew|twin|infant|teenager|"
    r"young person|pupil|student|colleague|manager|worker|teacher|nurse|officer"
)
_NAME_AFTER_WORD = re.compile(
    r"(?i:\b(?:" + _FAMILY_WORDS + r"))(?:,|:|\s-)?\s(?:called\s|named\s)?+"
    r"([A-Z][a-z'\u2019\-]{1,30}+)"
)
_NAME_AFTER_TITLE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s([A-Z][A-Za-z'\u2019\-]{1,30}+)"
)
_NOT_NAMES = frozenset(
    "The This That These Those They Then There She He It I We You His Her Their Our "
    "And But Or So As At In On Of To For With Was Were Is Are Has Had Have Who When "
    "Where What Why How Said Says Told Needs Need Would Could Should Will May Might "
    "Social Services Team Plan Court Care School Police Health Early Help "
    "Support".split()
)
_STREET = re.compile(
    r"\b\d{1,4}[A-Za-z]?,?\s(?:[A-Z][a-z'\-]{1,20}+\s){1,3}"
    r"(?:Road|Rd|Street|St|Close|Avenue|Ave|Drive|Lane|Ln|Way|Crescent|Court|Ct|"
    r"Place|Pl|Grove|Gardens|Gdns|Terrace|Walk|Mews|Square|Park|Rise|Hill|View|Row)\b"
)
_CASE_CONTEXT = re.compile(
    r"(?i)\b(?:LCS|Mosaic|EHM|CIN|CP|LAC|case|ref|reference|ID|person ID|child ID)"
    r"(?:\s?(?:no\.?|number))?[\s:#-]{0,3}+(\d{5,10}+)\b"
)
_PHONE_ANCHOR = re.compile(r"(?:\+44|\(?0)[\d ()\-]{8,16}+")
_EMAIL_LOCAL = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-"
)
_EMAIL_DOMAIN = re.compile(r"(?:[A-Za-z0-9-]{1,63}+\.){1,8}+[A-Za-z]{2,24}+\b")


def _squash(postcode: str) -> str:
    return re.sub(r"\s", "", postcode).upper()


def _nhs(text: str) -> Iterator[Finding]:
    for m in _NHS.finditer(text):
        if nhs.is_valid("".join(m.groups())):
            yield Finding(m.start(), m.end(), "nhs_number")


def _nino(text: str) -> Iterator[Finding]:
    for m in _NINO.finditer(text):
        if m.group(1).upper() not in _NINO_NEVER:
            yield Finding(m.start(), m.end(), "ni_number")


def _postcodes(text: str, allowed: frozenset[str]) -> Iterator[Finding]:
    for m in _POSTCODE.finditer(text):
        if _squash(m.group(1)) not in allowed:
            yield Finding(m.start(), m.end(), "postcode")


def _upn(text: str) -> Iterator[Finding]:
    for m in _UPN.finditer(text):
        if upn.is_valid(m.group(0).upper()):
            yield Finding(m.start(), m.end(), "pupil_number")


def _dates_of_birth(text: str) -> Iterator[Finding]:
    for m in _DATE.finditer(text):
        window = text[max(0, m.start() - 40) : m.end() + 20]
        if _DOB_CONTEXT.search(window):
            yield Finding(m.start(), m.end(), "date_of_birth")


def _ages(text: str) -> Iterator[Finding]:
    for m in _AGE.finditer(text):
        yield Finding(m.start(), m.end(), "age")


def _phones(text: str) -> Iterator[Finding]:
    for m in _PHONE_ANCHOR.finditer(text):
        candidate = m.group(0).rstrip(" -(")
        if sum(c.isdigit() for c in candidate) < 10:
            continue
        try:
            number = phonenumbers.parse(candidate, "GB")
        except phonenumbers.NumberParseException:
            continue
        # is_possible (not is_valid): Ofcom's drama ranges are not "valid" numbers,
        # yet a real-looking number in a comment is exactly what we must catch.
        if phonenumbers.is_possible_number(number):
            yield Finding(m.start(), m.start() + len(candidate), "phone")


def _emails(text: str) -> Iterator[Finding]:
    at = text.find("@")
    while at != -1:
        start = at
        while start > 0 and at - start < 64 and text[start - 1] in _EMAIL_LOCAL:
            start -= 1
        domain = _EMAIL_DOMAIN.match(text, at + 1)
        if start < at and domain is not None:
            yield Finding(start, domain.end(), "email")
        at = text.find("@", at + 1)


def _names(text: str) -> Iterator[Finding]:
    for pattern in (_NAME_AFTER_WORD, _NAME_AFTER_TITLE):
        for m in pattern.finditer(text):
            if m.group(1) not in _NOT_NAMES:
                yield Finding(m.start(1), m.end(1), "name")


def _addresses(text: str) -> Iterator[Finding]:
    for m in _STREET.finditer(text):
        yield Finding(m.start(), m.end(), "address")


def _case_references(
    text: str, patterns: tuple[re.Pattern[str], ...]
) -> Iterator[Finding]:
    for m in _CASE_CONTEXT.finditer(text):
        yield Finding(m.start(1), m.end(1), "case_reference")
    for pattern in patterns:
        for m in pattern.finditer(text):
            if m.end() > m.start():
                yield Finding(m.start(), m.end(), "case_reference")


def scan(text: str, settings: PrivacySettings) -> list[Finding]:
    """Personal data found in ``text`` (capped at MAX_SCAN_CHARS), in order, with
    overlapping findings merged into the earliest, longest one."""
    text = text[:MAX_SCAN_CHARS]
    found = [
        *_nhs(text),
        *_nino(text),
        *_postcodes(text, settings.office_postcodes),
        *_upn(text),
        *_dates_of_birth(text),
        *_ages(text),
        *_phones(text),
        *_emails(text),
        *_names(text),
        *_addresses(text),
        *_case_references(text, settings.case_patterns),
    ]
    merged: list[Finding] = []
    for item in sorted(found, key=lambda f: (f.start, -f.end)):
        if merged and item.start < merged[-1].end:
            continue
        merged.append(item)
    return merged


@dataclass
class Report:
    """The check of one submission: findings per answer field, and why (if at all)
    it may be a safeguarding disclosure."""

    findings: dict[str, list[Finding]] = field(default_factory=dict)
    safeguarding: list[str] = field(default_factory=list)

    @property
    def has_personal_data(self) -> bool:
        return any(self.findings.values())

    def kinds(self) -> list[str]:
        return sorted({f.kind for items in self.findings.values() for f in items})

    def as_json(self) -> list[dict[str, object]]:
        """Stored with the item for moderators: positions and kinds, no text."""
        return [
            {"field": name, "start": f.start, "end": f.end, "kind": f.kind}
            for name, items in self.findings.items()
            for f in items
        ]


def check(answers: dict[str, str], settings: PrivacySettings) -> Report:
    """Scan every answer for personal data, then triage for safeguarding."""
    report = Report({name: scan(text, settings) for name, text in answers.items()})
    reasons: list[str] = []
    for name, text in answers.items():
        lowered = text[:MAX_SCAN_CHARS].lower()
        for phrase in settings.safeguarding_phrases:
            if phrase in lowered:
                reasons.append(f"phrase: {phrase}")
        if not _HARM_WORDS.search(lowered):
            continue  # no harm words at all: no need to look near each name
        for finding in report.findings[name]:
            if finding.kind != "name":
                continue
            near = text[max(0, finding.start - 100) : finding.end + 100]
            if _HARM_WORDS.search(near):
                reasons.append("a named person near words about harm")
                break
    report.safeguarding = sorted(set(reasons))
    return report


@dataclass(frozen=True)
class Segment:
    text: str
    label: str | None = None


def segments(text: str, findings: list[Finding]) -> list[Segment]:
    """Split text for display with the findings highlighted (rendered with Jinja
    escaping; no markup is built here)."""
    parts: list[Segment] = []
    position = 0
    for finding in findings:
        if finding.start > position:
            parts.append(Segment(text[position : finding.start]))
        parts.append(Segment(text[finding.start : finding.end], finding.label))
        position = finding.end
    if position < len(text):
        parts.append(Segment(text[position:]))
    return parts


def highlight(report: Report | None, texts: dict[str, str]) -> dict[str, list[Segment]]:
    """The answers that have findings, split into segments for highlighting."""
    if report is None:
        return {}
    return {
        name: segments(texts.get(name, ""), findings)
        for name, findings in report.findings.items()
        if findings
    }


class PersonalDataFound(InvalidInput):
    """Text about to be saved (a narrative, a quote) may hold personal data and the
    writer has not chosen "Save anyway". Shown on the field, with the choice."""

    def __init__(self, report: Report, field: str) -> None:
        labels = ", ".join(
            sorted(
                {f.label.lower() for found in report.findings.values() for f in found}
            )
        )
        super().__init__(
            f"This may contain personal data ({labels}). Edit it so it identifies "
            "nobody, or choose “Save anyway” if it is right as it is.",
            field=field,
        )
        self.report = report


SAVE_ANYWAY = "save_anyway"


def refuse_unconfirmed(
    texts: dict[str, str], settings: PrivacySettings, confirmed: bool
) -> None:
    """The same check staff input gets, for what planners write and quote: raise
    PersonalDataFound unless the writer chose to save anyway."""
    if confirmed:
        return
    report = check(texts, settings)
    if report.has_personal_data:
        field = next(name for name, found in report.findings.items() if found)
        raise PersonalDataFound(report, field)
