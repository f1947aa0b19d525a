"""Benchmark: how good are the tag suggestions? (portal/tagging/suggestions.py)

Loads the bundled framework with the demo's placeholder recommendations into a
throwaway database, then for each of the labelled items in
bench/data/suggestions-eval.json asks for suggestions and checks whether the
labelled recommendation is first (top-1) or among the first three (top-3).

Two settings: "cold start" (no input tagged yet: recommendation and area wording
and the framework's example comments per area) and "learning" (5-fold: the engine
also learns from the other four fifths of the items, as if planners had tagged
them). The area-labelled sets (../shared/eval and the team's held-out texts, which
were written before the examples and never used to set anything) are also scored
on the wording alone, as the engine was before examples. Targets (issue 12): cold
top-1 at least 0.75, top-3 at least 0.9.
Run: `make bench` or `.venv/bin/python bench/suggestions.py`.
"""

from __future__ import annotations

import json
import random
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import create_app, db
from portal.demo import load_bundled_framework, placeholder_recommendations
from portal.framework.service import import_framework
from portal.models import Inspection, Recommendation
from portal.tagging.suggestions import (
    POSSIBLE,
    Candidate,
    Index,
    build_index,
    suggest,
    tokens,
)

DATA = Path(__file__).resolve().parent / "data" / "suggestions-eval.json"
HELDOUT = DATA.with_name("suggestions-heldout.json")
SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev_corpus.jsonl"
FOLDS = 5


def load_items() -> list[dict[str, object]]:
    items: list[dict[str, object]] = json.loads(DATA.read_text())["items"]
    return items


def base_index(folder: Path) -> tuple[Index, dict[str, int]]:
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{folder / 'eval.sqlite3'}",
        }
    )
    db.upgrade(app)
    with app.app_context():
        session = db.get_session()
        load_bundled_framework(session)
        inspection = session.scalar(select(Inspection))
        assert inspection is not None
        import_framework(session, None, placeholder_recommendations(inspection))
        session.commit()
        codes = {r.code: r.id for r in session.scalars(select(Recommendation))}
        AREA_RECS.clear()
        for rec in session.scalars(
            select(Recommendation).options(selectinload(Recommendation.areas))
        ):
            for area in rec.areas:
                AREA_RECS.setdefault(area.code, set()).add(rec.id)
        index = build_index(session)
    db.get_engine(app).dispose()
    return index, codes


AREA_RECS: dict[str, set[int]] = {}


def accuracy(
    index: Index, items: list[dict[str, object]], codes: dict[str, int]
) -> tuple[float, float]:
    """Top-1 and top-3 of the ranking itself (no confidence floor)."""
    top1 = top3 = 0
    for item in items:
        wanted = {codes[str(c)] for c in item["recommendations"]}  # type: ignore[attr-defined]
        ranked = [s.candidate.id for s in suggest(index, str(item["text"]), floor=0)
                  if s.candidate.kind == "rec"]  # fmt: skip
        top1 += bool(ranked[:1] and ranked[0] in wanted)
        top3 += bool(wanted & set(ranked[:3]))
    return top1 / len(items), top3 / len(items)


def shared_items(area_recs: dict[str, set[int]]) -> list[dict[str, object]]:
    """../shared/eval texts, labelled by area: the recommendations of the primary
    area count for top-1, those of any of its areas for top-3."""
    if not SHARED.exists():
        return []
    return by_area([json.loads(line) for line in SHARED.read_text().splitlines()],
                   area_recs)  # fmt: skip


def heldout_items(area_recs: dict[str, set[int]]) -> list[dict[str, object]]:
    """The team's held-out texts, labelled by area like the shared ones."""
    return by_area(json.loads(HELDOUT.read_text())["items"], area_recs)


def by_area(
    labelled: list[dict[str, Any]], area_recs: dict[str, set[int]]
) -> list[dict[str, object]]:
    items = []
    for item in labelled:
        areas = item["areas"]
        items.append({
            "text": item["text"],
            "primary": area_recs.get(areas[0], set()),
            "any": set().union(*(area_recs.get(a, set()) for a in areas)),
        })  # fmt: skip
    return items


def shared_accuracy(
    index: Index, items: list[dict[str, object]]
) -> tuple[float, float, float]:
    """Top-1 on the primary area, top-3 on any area, and top-1 on any area."""
    top1 = top3 = top1_any = 0
    for item in items:
        ranked = [s.candidate.id for s in suggest(index, str(item["text"]), floor=0)
                  if s.candidate.kind == "rec"]  # fmt: skip
        top1 += bool(ranked[:1] and ranked[0] in item["primary"])  # type: ignore[operator]
        top1_any += bool(ranked[:1] and ranked[0] in item["any"])  # type: ignore[operator]
        top3 += bool(item["any"] & set(ranked[:3]))  # type: ignore[operator]
    return top1 / len(items), top3 / len(items), top1_any / len(items)


def calibration(
    index: Index, cases: list[tuple[str, set[int]]]
) -> dict[str, tuple[int, float]]:
    """Of the (up to three) recommendations suggested per text, how many are
    right, by the words the page shows; and how often nothing is shown."""
    bands: dict[str, list[int]] = {"Strong match": [0, 0], "Possible match": [0, 0],
                                   "not shown": [0, 0]}  # fmt: skip
    nothing = 0
    for text, wanted in cases:
        ranked = [s for s in suggest(index, text, floor=0) if s.candidate.kind == "rec"]
        shown = [s for s in ranked if s.raw >= POSSIBLE]
        nothing += not shown
        for s in ranked[:3]:
            band = s.confidence if s.raw >= POSSIBLE else "not shown"
            bands[band][0] += 1
            bands[band][1] += s.candidate.id in wanted
    result = {b: (n, right / n if n else 0.0) for b, (n, right) in bands.items()}
    result["texts with nothing shown"] = (nothing, nothing / max(1, len(cases)))
    return result


def with_learning(
    index: Index, training: list[dict[str, object]], codes: dict[str, int]
) -> Index:
    """The same index, each tagged training item one more example (as people
    would tag them)."""
    examples = {c: list(lists) for c, lists in index.examples.items()}
    by_id = {c.id: c for c in index.wording if c.kind == "rec"}
    for item in training:
        for code in item["recommendations"]:  # type: ignore[attr-defined]
            candidate: Candidate = by_id[codes[str(code)]]
            examples.setdefault(candidate, []).append(tokens(str(item["text"])))
    return Index(index.wording, examples, index.against, index.glossary)


def without_examples(index: Index) -> Index:
    """The index as it was before the framework gave examples: wording only."""
    return Index(index.wording, {}, {}, index.glossary)


def main() -> None:
    items = load_items()
    labels = Counter(str(c) for i in items for c in i["recommendations"])  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as folder:
        index, codes = base_index(Path(folder))
    cold = accuracy(index, items, codes)
    shuffled = items[:]
    random.Random(2015).shuffle(shuffled)
    hits1 = hits3 = 0.0
    for fold in range(FOLDS):
        test = shuffled[fold::FOLDS]
        training = [i for n, i in enumerate(shuffled) if n % FOLDS != fold]
        one, three = accuracy(with_learning(index, training, codes), test, codes)
        hits1 += one * len(test)
        hits3 += three * len(test)
    learned = (hits1 / len(items), hits3 / len(items))
    print(f"{len(items)} labelled items, {len(labels)} recommendations")
    print(f"{'setting':<28} {'top-1':>6} {'top-3':>6}")
    print(f"{'cold start (with examples)':<28} {cold[0]:>6.2f} {cold[1]:>6.2f}")
    print(f"{'learning (5-fold)':<28} {learned[0]:>6.2f} {learned[1]:>6.2f}")
    shared = shared_items(AREA_RECS)
    heldout = heldout_items(AREA_RECS)
    for name, texts in (("../shared/eval", shared), ("held-out", heldout)):
        if not texts:
            continue
        print(f"\n{len(texts)} texts of {name} (areas -> recommendations)")
        for setting, used in (("cold start", index),
                              ("wording only", without_examples(index))):  # fmt: skip
            one, three, any_one = shared_accuracy(used, texts)
            print(f"{setting:<28} {one:>6.2f} {three:>6.2f}")
            print(f"{'  top-1 on any of its areas':<28} {any_one:>6.2f}")
    own_cases = [
        (str(i["text"]), {codes[str(c)] for c in i["recommendations"]})  # type: ignore[attr-defined]
        for i in items
    ]
    shared_cases = [(str(i["text"]), i["any"]) for i in shared]
    heldout_cases = [(str(i["text"]), i["any"]) for i in heldout]
    for name, cases in (("own items", own_cases), ("shared texts", shared_cases),
                        ("held-out texts", heldout_cases)):  # fmt: skip
        if not cases:
            continue
        print(f"\nconfidence words, {name} (cold): suggestions, share right")
        for band, (n, share) in calibration(index, cases).items():  # type: ignore[arg-type]
            print(f"  {band:<26} {n:>4} {share:>6.2f}")


if __name__ == "__main__":
    main()
