"""Personal-data and safeguarding checks on free text, before it is stored.

Finds what could identify a child, family or colleague so the writer can remove
it: structured identifiers (portal/privacy/identifiers.py) and names, ages and
dates of birth (portal/privacy/names.py, ages.py); and triages text that may be a
safeguarding disclosure (portal/privacy/triage.py).

Nothing is ever dropped or blocked here: callers show the findings and let the person
edit or submit anyway. Findings hold positions and kinds only, never a copy of the
text, so redacting the text later leaves nothing behind. Every pass is linear in
the text, which is capped at MAX_SCAN_CHARS.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from portal.errors import InvalidInput
from portal.privacy import ages, identifiers, names
from portal.privacy.findings import LABELS, Finding
from portal.privacy.triage import triage

__all__ = ["LABELS", "Finding", "PrivacySettings", "Report", "check", "scan"]

MAX_SCAN_CHARS = 50_000
# The safeguarding lead's own phrases (config SAFEGUARDING_PHRASES) add to the
# triage model; none are needed for it to work.
DEFAULT_SAFEGUARDING_PHRASES: tuple[str, ...] = ()


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
            office_postcodes=frozenset(identifiers.squash(str(p)) for p in postcodes),
            case_patterns=tuple(re.compile(str(p)) for p in patterns),
            safeguarding_phrases=tuple(str(p).lower() for p in phrases),
        )


def scan(text: str, settings: PrivacySettings) -> list[Finding]:
    """Personal data found in ``text`` (capped at MAX_SCAN_CHARS), in order, with
    overlapping findings merged into the earliest, longest one."""
    text = text[:MAX_SCAN_CHARS]
    found_names = list(names.names(text))
    found = [
        *identifiers.nhs_numbers(text),
        *identifiers.ni_numbers(text),
        *identifiers.postcodes(text, settings.office_postcodes),
        *identifiers.pupil_numbers(text),
        *identifiers.phones(text),
        *identifiers.emails(text),
        *identifiers.addresses(text),
        *identifiers.case_references(text, settings.case_patterns),
        *ages.dates_of_birth(text, found_names),
        *ages.ages(text, found_names),
        *found_names,
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
    """Scan every answer for personal data, then triage for safeguarding (all the
    answers together: a disclosure can span them)."""
    report = Report({name: scan(text, settings) for name, text in answers.items()})
    joined = "\n".join(text[:MAX_SCAN_CHARS] for text in answers.values())
    report.safeguarding = list(triage(joined, settings.safeguarding_phrases).reasons)
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
