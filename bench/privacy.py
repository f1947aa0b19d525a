"""Benchmark: how long the personal-data check takes (portal/privacy.py).

Run with `make bench` (or `.venv/bin/python bench/privacy.py`). Prints the median and
worst of repeated scans for realistic answers and for pathological 50,000-character
inputs designed to trigger regex backtracking. Targets: a 4,000-character answer (the
form's limit) under 50 ms; 50,000 characters of pathological input under 500 ms.
"""

from __future__ import annotations

import statistics
import time

from portal.privacy import DEFAULT_SAFEGUARDING_PHRASES, PrivacySettings, check

SETTINGS = PrivacySettings(safeguarding_phrases=DEFAULT_SAFEGUARDING_PHRASES)
REALISTIC = (
    "Supervision is often cancelled when the duty rota is short, so plans drift. "
    "Last month Mum, Sarah rang the duty line on 07700 900123 about baby Jayden "
    "(DOB 03/04/2016) and nobody picked up the case for a week. "
) * 20  # about 4,000 characters, the longest answer the form accepts
CASES = {
    "realistic answer (4,000 chars)": REALISTIC[:4000],
    "'1 ' x 25,000": "1 " * 25_000,
    "capitals x 50,000": "A" * 50_000,
    "'a@' x 25,000": "a@" * 25_000,
    "'1/1/' x 12,500": "1/1/" * 12_500,
    "'(0' x 25,000": "(0" * 25_000,
    "family word + name x 6,000": "Mum Aaaa " * 6_000,
    "house number + words x 3,000": "12 Aaaa Bbbb Cccc " * 3_000,
    "200,000 chars (capped at 50,000)": "x" * 200_000,
}
RUNS = 15


def main() -> None:
    print(f"{'input':<36} {'median ms':>10} {'worst ms':>10}")
    worst_overall = 0.0
    for name, text in CASES.items():
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            check({"answer": text}, SETTINGS)
            timings.append((time.perf_counter() - started) * 1000)
        worst_overall = max(worst_overall, max(timings))
        print(f"{name:<36} {statistics.median(timings):>10.1f} {max(timings):>10.1f}")
    print(f"worst case overall: {worst_overall:.1f} ms (target: under 500 ms)")


if __name__ == "__main__":
    main()
