"""Benchmark: how accurate are the personal-data check and the safeguarding triage?

Scores portal.privacy.check on three labelled sets:
- ../shared/eval/dev_corpus.jsonl: the shared development set (written apart from
  the code; the rules were tuned while looking at it);
- bench/eval/privacy-dev.jsonl: this project's development part (tuned on);
- bench/eval/privacy-heldout.jsonl: this project's held-out part (written before
  the rules and never looked at while writing them);
- bench/eval/privacy-heldout-unseen-names.jsonl: the held-out templates filled
  with names the gazetteer does not know, so names are found by context alone
  (the UK name lists were written after the set's name pools, so the held-out
  part flatters the gazetteer; this one does not).

Personal data is scored per kind, on full spans: a labelled span is found when one
finding of the same kind covers all of it. Precision counts a finding as right when
it overlaps a labelled span of any kind. Safeguarding: recall on the texts labelled
true, false alarms on those labelled false.
Run: `make bench` or `.venv/bin/python bench/accuracy.py`.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from portal.privacy import PrivacySettings, check  # noqa: E402

SETS = {
    "shared dev": ROOT.parent / "shared" / "eval" / "dev_corpus.jsonl",
    "own dev": ROOT / "bench" / "eval" / "privacy-dev.jsonl",
    "own held-out": ROOT / "bench" / "eval" / "privacy-heldout.jsonl",
    "unseen names": ROOT / "bench" / "eval" / "privacy-heldout-unseen-names.jsonl",
}
# The labelled sets' kind names -> the checker's.
KINDS = {
    "name": "name", "dob": "date_of_birth", "age": "age", "nhs_number": "nhs_number",
    "nino": "ni_number", "postcode": "postcode", "phone": "phone", "email": "email",
    "address": "address", "case_ref": "case_reference", "upn": "pupil_number",
}  # fmt: skip
SETTINGS = PrivacySettings(office_postcodes=frozenset({"CW14HQ"}))


@dataclass
class Score:
    labelled: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    findings: int = 0
    right: int = 0
    alarms_due: int = 0
    alarms_raised: int = 0
    quiet_due: int = 0
    false_alarms: int = 0
    misses: list[str] = field(default_factory=list)

    def recall(self, kind: str | None = None) -> float:
        if kind is None:
            total = sum(self.labelled.values())
            return sum(self.found.values()) / total if total else 1.0
        return self.found[kind] / self.labelled[kind] if self.labelled[kind] else 1.0

    @property
    def precision(self) -> float:
        return self.right / self.findings if self.findings else 1.0

    @property
    def safeguarding_recall(self) -> float:
        return self.alarms_raised / self.alarms_due if self.alarms_due else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.quiet_due if self.quiet_due else 0.0


def load(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def score(items: list[dict[str, object]]) -> Score:
    result = Score()
    for item in items:
        text = str(item["text"])
        report = check({"text": text}, SETTINGS)
        findings = report.findings["text"]
        labels = item["pii"]
        assert isinstance(labels, list)
        for label in labels:
            kind = KINDS[label["kind"]]
            result.labelled[kind] += 1
            if any(
                f.kind == kind and f.start <= label["start"] and f.end >= label["end"]
                for f in findings
            ):
                result.found[kind] += 1
            else:
                span = text[label["start"] : label["end"]]
                result.misses.append(f"{item['id']} {kind}: {span!r}")
        for finding in findings:
            result.findings += 1
            if any(
                finding.start < label["end"] and label["start"] < finding.end
                for label in labels
            ):
                result.right += 1
            else:
                span = text[finding.start : finding.end]
                result.misses.append(f"{item['id']} extra {finding.kind}: {span!r}")
        expected = item.get("safeguarding")
        if expected is True:
            result.alarms_due += 1
            result.alarms_raised += bool(report.safeguarding)
            if not report.safeguarding:
                result.misses.append(f"{item['id']} safeguarding missed")
        elif expected is False:
            result.quiet_due += 1
            result.false_alarms += bool(report.safeguarding)
            if report.safeguarding:
                result.misses.append(f"{item['id']} safeguarding false alarm")
    return result


def table(scores: dict[str, Score]) -> str:
    names = list(scores)
    lines = [f"{'':<22}" + "".join(f"{n:>14}" for n in names)]
    kinds = sorted({k for s in scores.values() for k in s.labelled})
    for kind in kinds:
        cells = "".join(
            f"{s.recall(kind):>9.2f} ({s.labelled[kind]:>3})" if s.labelled[kind]
            else f"{'-':>14}"
            for s in scores.values()
        )  # fmt: skip
        lines.append(f"recall {kind:<15}{cells}")
    lines.append(
        f"{'recall, all kinds':<22}"
        + "".join(f"{s.recall():>14.2f}" for s in scores.values())
    )
    lines.append(
        f"{'precision':<22}" + "".join(f"{s.precision:>14.2f}" for s in scores.values())
    )
    lines.append(
        f"{'safeguarding recall':<22}"
        + "".join(
            f"{s.safeguarding_recall:>9.2f} ({s.alarms_due:>3})"
            for s in scores.values()
        )
    )
    lines.append(
        f"{'false alarms':<22}"
        + "".join(
            f"{s.false_alarm_rate:>9.2f} ({s.quiet_due:>3})" for s in scores.values()
        )
    )
    return "\n".join(lines)


def main() -> None:
    show = sys.argv[1:]  # names of sets whose misses to print (never the held-out)
    scores = {name: score(load(path)) for name, path in SETS.items() if path.exists()}
    counts = ", ".join(
        f"{n}: {len(load(p))} texts" for n, p in SETS.items() if p.exists()
    )
    print(counts)
    print(table(scores))
    for name in show:
        if name in ("own held-out", "unseen names"):
            continue
        print(f"\n# misses in {name}")
        print("\n".join(scores[name].misses))


if __name__ == "__main__":
    main()
