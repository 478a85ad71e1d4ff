"""Embedder load time, evaluation latency and score separation on tests/data/evaluator_cases.yaml.

    PYTHONPATH=. python bench/evaluator_speed.py

Latency is reported as wall time and CPU time of this process: on a shared machine the wall time
includes waiting for a core, the CPU time does not. The evaluator runs single-threaded by design.
Two naive scorers run on the same answers for comparison, to show that answer length and word
overlap with the key points do not separate strong from fluent-but-wrong answers.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from prepai_cli.agent.evaluator import AnswerEvaluator, Embedder
from prepai_cli.agent.evaluator.embedder import DEFAULT_MODEL
from prepai_cli.bank.models import Question

CASES_FILE = Path(__file__).resolve().parents[1] / "tests" / "data" / "evaluator_cases.yaml"
KINDS = ("strong", "vague", "wrong")
_STOP = frozenset("a an the and or of to in on for is are be by it its that this with as from so at".split())


def _timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def _percentiles(values: list[float]) -> str:
    ms = np.array(values) * 1000
    return f"p50 {np.percentile(ms, 50):6.1f} ms  p90 {np.percentile(ms, 90):6.1f} ms  max {ms.max():6.1f} ms"


def _overlap_score(question: Question, answer: str) -> float:
    """Naive baseline: share of the key points' content words that appear in the answer."""
    answer_words = set(re.findall(r"[a-z0-9]+", answer.lower()))
    kp_words = {w for kp in question.key_points for w in re.findall(r"[a-z0-9]+", kp.text.lower())} - _STOP
    return len(kp_words & answer_words) / max(1, len(kp_words))


def _ordered(scores: dict[str, dict[str, float]], ids: list[str]) -> tuple[int, int, int]:
    over_vague = sum(scores[i]["strong"] > scores[i]["vague"] for i in ids)
    over_wrong = sum(scores[i]["strong"] > scores[i]["wrong"] for i in ids)
    return over_vague, over_wrong, len(ids)


def main() -> None:
    cases: list[dict[str, Any]] = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))["cases"]

    print(f"model file: {DEFAULT_MODEL.name} {DEFAULT_MODEL.stat().st_size / 1e6:.1f} MB")
    embedder, load_wall, load_cpu = _timed(Embedder)
    print(f"embedder load: {load_wall * 1000:.0f} ms wall, {load_cpu * 1000:.0f} ms cpu")
    evaluator, init_wall, _ = _timed(lambda: AnswerEvaluator(embedder))
    print(f"evaluator init (STAR prototypes): {init_wall * 1000:.0f} ms")

    sentence = "A hash map from key to node gives constant time lookup of any entry."
    batch = [f"{sentence} Variant {i} mentions a doubly linked list for recency order." for i in range(20)]
    one = [_timed(lambda: embedder.encode([sentence]))[1] for _ in range(10)]
    twenty = [_timed(lambda: embedder.encode(batch))[1] for _ in range(5)]
    print(f"encode 1 sentence:   {_percentiles(one)}")
    print(f"encode 20 sentences: {_percentiles(twenty)}")

    scores: dict[str, dict[str, float]] = {}
    naive_length: dict[str, dict[str, float]] = {}
    naive_overlap: dict[str, dict[str, float]] = {}
    cold_wall: list[float] = []
    warm_wall: list[float] = []
    warm_cpu: list[float] = []
    for case in cases:
        question = Question.model_validate(case["question"])
        scores[case["id"]], naive_length[case["id"]], naive_overlap[case["id"]] = {}, {}, {}
        for kind in KINDS:
            answer = case[kind]
            # The first evaluation of a question also embeds its key points and red flags.
            result, wall, cpu = _timed(lambda: evaluator.evaluate(question, answer, star=case["star"]))
            (cold_wall if kind == "strong" else warm_wall).append(wall)
            if kind != "strong":
                warm_cpu.append(cpu)
            scores[case["id"]][kind] = result.score
            naive_length[case["id"]][kind] = len(answer.split())
            naive_overlap[case["id"]][kind] = _overlap_score(question, answer)

    print(f"evaluate, first answer to a question: {_percentiles(cold_wall)} (wall)")
    print(f"evaluate, question already seen:      {_percentiles(warm_wall)} (wall)")
    print(f"evaluate, question already seen:      {_percentiles(warm_cpu)} (cpu)")

    all_ids = [c["id"] for c in cases]
    holdout = [c["id"] for c in cases if c.get("holdout")]
    print("\nscores (strong / vague / wrong):")
    for case in cases:
        s = scores[case["id"]]
        tag = " [written after tuning]" if case.get("holdout") else ""
        print(f"  {case['id']:34s} {s['strong']:4.1f} / {s['vague']:4.1f} / {s['wrong']:4.1f}{tag}")
    for kind in KINDS:
        values = [scores[i][kind] for i in all_ids]
        print(f"mean {kind:6s} {statistics.mean(values):4.2f}  (min {min(values):.1f}, max {max(values):.1f})")

    for label, table in (("evaluator", scores), ("naive length", naive_length), ("naive word overlap", naive_overlap)):
        v, w, n = _ordered(table, all_ids)
        line = f"{label:20s} strong>vague {v}/{n}  strong>wrong {w}/{n}"
        if holdout and table is scores:
            hv, hw, hn = _ordered(table, holdout)
            line += f"  (cases written after tuning: {hv}/{hn}, {hw}/{hn})"
        print(line)

    # Wrong answers built from the key points' own words: word overlap cannot separate these.
    keyword_cases = [c for c in cases if "keyword_wrong" in c]
    if keyword_cases:
        print("\nkeyword-stuffed wrong answers (evaluator score / word overlap, strong answer in brackets):")
        beaten_eval = beaten_overlap = 0
        for case in keyword_cases:
            question = Question.model_validate(case["question"])
            result = evaluator.evaluate(question, case["keyword_wrong"], star=case["star"])
            overlap = _overlap_score(question, case["keyword_wrong"])
            beaten_eval += scores[case["id"]]["strong"] > result.score
            beaten_overlap += naive_overlap[case["id"]]["strong"] > overlap
            print(f"  {case['id']:34s} {result.score:4.1f} ({scores[case['id']]['strong']:4.1f})   "
                  f"{overlap:.2f} ({naive_overlap[case['id']]['strong']:.2f})")
        n = len(keyword_cases)
        print(f"strong ranked above keyword-stuffed wrong: evaluator {beaten_eval}/{n}, word overlap {beaten_overlap}/{n}")


if __name__ == "__main__":
    main()
