"""Reading framework files (JSON and CSV) into plain, validated data.

Everything is checked before anything is written: a file with any problem is refused
whole, with every problem listed. The format is documented in docs/framework-format.md.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from portal.errors import InvalidInput
from portal.models import Addressee
from portal.sanitise import plain_text, single_line

FORMAT_ID = "frontline-voice-framework/1"
CSV_COLUMNS = ("code", "text", "addressed_to", "areas", "placeholder")
BUNDLED = Path(__file__).resolve().parent / "data" / "cheshire-east-2015.json"
_ADDRESSEES = {a.value for a in Addressee}
MAX_EXAMPLES = 50
MAX_EXAMPLE_LENGTH = 500
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n", ""}


@dataclass
class InspectionData:
    key: str
    name: str
    local_authority: str
    judgement: str
    inspected_from: date | None = None
    inspected_to: date | None = None
    published_on: date | None = None
    source: str = ""


@dataclass
class AreaData:
    code: str
    title: str
    description: str
    addressed_to: str
    examples: list[str] = field(default_factory=list)


@dataclass
class RecommendationData:
    code: str
    text: str
    addressed_to: str
    areas: list[str]
    placeholder: bool = False


@dataclass
class FrameworkFile:
    inspection: InspectionData | None
    inspection_key: str
    areas: list[AreaData] = field(default_factory=list)
    recommendations: list[RecommendationData] = field(default_factory=list)


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if self.items:
            shown = self.items[:20]
            more = len(self.items) - len(shown)
            text = "The framework file was not imported. " + "; ".join(shown)
            if more:
                text += f"; and {more} more"
            raise InvalidInput(text)


def _text(raw: Any, where: str, name: str, problems: _Problems, limit: int) -> str:
    value = single_line(raw) if isinstance(raw, str) else ""
    if not value:
        problems.add(where, f"'{name}' is missing")
    elif len(value) > limit:
        problems.add(where, f"'{name}' is longer than {limit} characters")
    return value


def _date(raw: Any, where: str, name: str, problems: _Problems) -> date | None:
    if raw in (None, ""):
        return None
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        problems.add(where, f"'{name}' must be a date like 2015-07-30")
        return None


def _addressee(raw: Any, where: str, problems: _Problems) -> str:
    value = str(raw or "").strip().lower()
    if value not in _ADDRESSEES:
        problems.add(where, "'addressed_to' must be local_authority or lscb")
    return value


def _flag(raw: Any, where: str, problems: _Problems) -> bool:
    if isinstance(raw, bool):
        return raw
    value = str(raw or "").strip().lower()
    if value not in _TRUE | _FALSE:
        problems.add(where, "'placeholder' must be true or false")
    return value in _TRUE


def _recommendation(
    raw: dict[str, Any], where: str, problems: _Problems
) -> RecommendationData:
    areas_raw = raw.get("areas", [])
    if isinstance(areas_raw, str):
        areas_raw = areas_raw.split(";")
    if not isinstance(areas_raw, list):
        problems.add(where, "'areas' must be a list of area codes")
        areas_raw = []
    text = plain_text(raw.get("text")) if isinstance(raw.get("text"), str) else ""
    if not text:
        problems.add(where, "'text' is missing")
    elif len(text) > 4000:
        problems.add(where, "'text' is longer than 4000 characters")
    return RecommendationData(
        code=_text(raw.get("code"), where, "code", problems, 32),
        text=text,
        addressed_to=_addressee(raw.get("addressed_to"), where, problems),
        areas=[single_line(str(a)) for a in areas_raw if single_line(str(a))],
        placeholder=_flag(raw.get("placeholder", False), where, problems),
    )


def _check_unique(codes: list[str], kind: str, problems: _Problems) -> None:
    seen: set[str] = set()
    for code in codes:
        if code and code in seen:
            problems.add(kind, f"code {code} appears more than once")
        seen.add(code)


def parse_json(text: str) -> FrameworkFile:
    problems = _Problems()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"The file is not valid JSON (line {exc.lineno})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_ID:
        raise InvalidInput(f"The file must be a JSON object with format '{FORMAT_ID}'")
    raw_inspection = data.get("inspection")
    if not isinstance(raw_inspection, dict):
        raise InvalidInput("The file has no 'inspection' object")
    where = "inspection"
    inspection = InspectionData(
        key=_text(raw_inspection.get("key"), where, "key", problems, 64),
        name=_text(raw_inspection.get("name"), where, "name", problems, 300),
        local_authority=_text(
            raw_inspection.get("local_authority"),
            where,
            "local_authority",
            problems,
            120,
        ),
        judgement=_text(
            raw_inspection.get("judgement"), where, "judgement", problems, 120
        ),
        inspected_from=_date(
            raw_inspection.get("inspected_from"), where, "inspected_from", problems
        ),
        inspected_to=_date(
            raw_inspection.get("inspected_to"), where, "inspected_to", problems
        ),
        published_on=_date(
            raw_inspection.get("published_on"), where, "published_on", problems
        ),
        source=single_line(str(raw_inspection.get("source") or "")),
    )
    areas: list[AreaData] = []
    for i, raw in enumerate(data.get("areas") or [], 1):
        where = f"area {i}"
        if not isinstance(raw, dict):
            problems.add(where, "must be an object")
            continue
        areas.append(
            AreaData(
                code=_text(raw.get("code"), where, "code", problems, 32),
                title=_text(raw.get("title"), where, "title", problems, 300),
                description=plain_text(str(raw.get("description") or ""))[:4000],
                addressed_to=_addressee(raw.get("addressed_to"), where, problems),
                examples=_examples(raw.get("examples"), where, problems),
            )
        )
    recommendations = []
    for i, raw in enumerate(data.get("recommendations") or [], 1):
        if not isinstance(raw, dict):
            problems.add(f"recommendation {i}", "must be an object")
            continue
        recommendations.append(_recommendation(raw, f"recommendation {i}", problems))
    _check_unique([a.code for a in areas], "areas", problems)
    _check_unique([r.code for r in recommendations], "recommendations", problems)
    problems.raise_if_any()
    return FrameworkFile(inspection, inspection.key, areas, recommendations)


def _examples(value: Any, where: str, problems: _Problems) -> list[str]:
    """Example comments: a list of short single-line texts."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(where, "examples must be a list of texts")
        return []
    if len(value) > MAX_EXAMPLES:
        problems.add(where, f"at most {MAX_EXAMPLES} examples")
    examples = [single_line(v) for v in value]
    if any(len(e) > MAX_EXAMPLE_LENGTH for e in examples):
        problems.add(where, f"each example at most {MAX_EXAMPLE_LENGTH} characters")
    return [e for e in examples if e]


def parse_csv(text: str, inspection_key: str) -> FrameworkFile:
    """Recommendations for an inspection that is already loaded."""
    problems = _Problems()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if header[: len(CSV_COLUMNS)] != list(CSV_COLUMNS):
        raise InvalidInput("The CSV header must be: " + ",".join(CSV_COLUMNS))
    recommendations = []
    for row in reader:
        where = f"line {reader.line_num}"
        cleaned = {k.strip().lower(): v for k, v in row.items() if k}
        recommendations.append(_recommendation(cleaned, where, problems))
    _check_unique([r.code for r in recommendations], "recommendations", problems)
    problems.raise_if_any()
    return FrameworkFile(None, inspection_key, [], recommendations)


def read_file(path: Path, inspection_key: str | None = None) -> FrameworkFile:
    """Parse a .json or .csv framework file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"Cannot read {path.name}: {exc}") from None
    if path.suffix.lower() == ".csv":
        if not inspection_key:
            raise InvalidInput(
                "A CSV file needs --inspection KEY (the inspection it adds to)"
            )
        return parse_csv(text, inspection_key)
    return parse_json(text)
