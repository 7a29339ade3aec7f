"""Speed of the questions library on the shipped bank, against baselines measured in the same run.

- load + validate the bank (target < 1 s); baseline: yaml.safe_load (libyaml) of the same files;
- render one variant (target < 1 ms median); baseline: deep-copying the question's YAML data;
- score one response (target < 1 ms median); baseline: the same deep copy.

Usage: `python bench/questions.py [BANK]`; exits 1 when a target is missed.
"""

from __future__ import annotations

import copy
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# bench/ would come first on sys.path, where bench/queue.py and bench/api.py shadow the standard
# library's `queue` and the `api` package: put the repository root there instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from questions import load_bank, render_variant, score_response  # noqa: E402
from questions.variants import (  # noqa: E402
    ChoiceKey,
    FillInKey,
    MatchingKey,
    NumericKey,
    OrderingKey,
    TrueFalseKey,
    Variant,
)

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def median_seconds(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def key_response(variant: Variant) -> object:
    key = variant.key
    if isinstance(key, ChoiceKey):
        return sorted(key.correct)[0] if key.type == "single_choice" else sorted(key.correct)
    if isinstance(key, TrueFalseKey):
        return key.answer
    if isinstance(key, FillInKey):
        return {b.id: (b.accept[0] if b.accept else "x") for b in key.blanks}
    if isinstance(key, NumericKey):
        return f"{key.answer} {key.unit}" if key.unit else key.answer
    if isinstance(key, MatchingKey):
        return dict(key.pairs)
    if isinstance(key, OrderingKey):
        return list(reversed(key.order))
    return None


def line(name: str, value: float, unit: str, scale: float, target: float, baseline: float) -> bool:
    ok = value < target
    print(
        f"{name:<34} median {value * scale:9.3f} {unit}  (target < {target * scale:g} {unit}: "
        f"{'ok' if ok else 'MISSED'})  baseline {baseline * scale:9.3f} {unit}  "
        f"ratio {value / baseline:7.1f}x"
    )
    return ok


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "questions/banks/async-backends"
    files = sorted(p for p in folder.rglob("*.y*ml"))
    texts = [p.read_text(encoding="utf-8") for p in files]

    def parse_only() -> None:
        for text in texts:
            yaml.load(text, Loader=Loader)

    bank = load_bank(folder)  # warm caches the way a long-running server has them
    load = median_seconds(lambda: load_bank(folder), repeat=5)
    parse = median_seconds(parse_only, repeat=5)
    print(f"bank {bank.manifest.id}: {len(bank.questions)} questions in {len(files)} files")
    results = [line("load + validate the bank", load, "ms", 1e3, 1.0, parse)]

    raw = {
        qid: yaml.load((folder / path).read_text(), Loader=Loader)
        for qid, path in bank.files.items()
    }
    render_times, copy_times, score_times = [], [], []
    for seed in range(20):
        for question_id in bank.questions:
            start = time.perf_counter()
            variant = render_variant(bank, question_id, seed)
            render_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            copy.deepcopy(raw[question_id])
            copy_times.append(time.perf_counter() - start)
            response = key_response(variant)
            start = time.perf_counter()
            score_response(variant, response)
            score_times.append(time.perf_counter() - start)
    baseline = statistics.median(copy_times)
    print(f"({len(render_times)} renders and scores over every question, seeds 0-19)")
    results.append(
        line("render a variant", statistics.median(render_times), "µs", 1e6, 1e-3, baseline)
    )
    results.append(
        line("score a response", statistics.median(score_times), "µs", 1e6, 1e-3, baseline)
    )
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
