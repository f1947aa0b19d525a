"""Benchmark: how good are the tag suggestions? (portal/tagging/suggestions.py)

Loads the bundled framework with the demo's placeholder recommendations into a
throwaway database, then for each of the labelled items in
bench/data/suggestions-eval.json asks for suggestions and checks whether the
labelled recommendation is first (top-1) or among the first three (top-3).

Two settings: "cold start" (no input tagged yet: recommendation and area wording
only) and "learning" (5-fold: the engine also learns from the other four fifths of
the items, as if planners had tagged them). Target: top-3 at least 0.8.
Run: `make bench` or `.venv/bin/python bench/suggestions.py`.
"""

from __future__ import annotations

import json
import random
import tempfile
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from portal import create_app, db
from portal.demo import load_bundled_framework, placeholder_recommendations
from portal.framework.service import import_framework
from portal.models import Inspection, Recommendation
from portal.tagging.suggestions import Candidate, Index, build_index, suggest, tokens

DATA = Path(__file__).resolve().parent / "data" / "suggestions-eval.json"
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
        index = build_index(session)
    db.get_engine(app).dispose()
    return index, codes


def accuracy(
    index: Index, items: list[dict[str, object]], codes: dict[str, int]
) -> tuple[float, float]:
    top1 = top3 = 0
    for item in items:
        wanted = {codes[str(c)] for c in item["recommendations"]}  # type: ignore[attr-defined]
        ranked = [s.candidate.id for s in suggest(index, str(item["text"]))
                  if s.candidate.kind == "rec"]  # fmt: skip
        top1 += bool(ranked[:1] and ranked[0] in wanted)
        top3 += bool(wanted & set(ranked[:3]))
    return top1 / len(items), top3 / len(items)


def with_learning(
    index: Index, training: list[dict[str, object]], codes: dict[str, int]
) -> Index:
    """The same documents, grown with tagged training items (as people would)."""
    documents = {c: list(words.elements()) for c, words in index.documents.items()}
    by_id = {c.id: c for c in documents if c.kind == "rec"}
    for item in training:
        for code in item["recommendations"]:  # type: ignore[attr-defined]
            candidate: Candidate = by_id[codes[str(code)]]
            documents[candidate] += tokens(str(item["text"]))
    return Index(documents)


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
    print(f"{'cold start (wording only)':<28} {cold[0]:>6.2f} {cold[1]:>6.2f}")
    print(f"{'learning (5-fold)':<28} {learned[0]:>6.2f} {learned[1]:>6.2f}")


if __name__ == "__main__":
    main()
