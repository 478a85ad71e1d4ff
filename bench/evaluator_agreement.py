"""Agreement of the offline evaluator with an experienced interviewer's scores (tests/data/calibration.yaml).

Each calibration item is everything a candidate said to one bank question (answers, follow-up replies, hint
requests, code), scored 0-10 by hand with a reason. This replays it through the evaluator the way the offline
brain does (answers judged turn by turn, hints counted, code run in the sandbox) and reports, per split:
Pearson r, mean absolute error, ranking accuracy (pairs of items on the same question whose human scores differ by
2 or more, ordered the same way), strong above fluent-but-wrong, and the highest off-topic score.

Tune on `--split dev` and `--split dev2`; the headline numbers are `--split heldout` and `--split fresh` (a second held-out set,
written later by another interviewer on mostly other questions).

    python bench/evaluator_agreement.py [--split dev|dev2|heldout|fresh|all] [--worst 10] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from prepai_cli.agent.evaluator import AnswerEvaluator, AnswerTurn, CodeResult, load_evaluator  # noqa: E402
from prepai_cli.agent.tools.sandbox import bank_problem, run_code  # noqa: E402
from prepai_cli.bank import QuestionBank, load_bank  # noqa: E402

CALIBRATION = ROOT / "tests" / "data" / "calibration.yaml"
# Written later, by another interviewer, on mostly other questions, after the evaluator was tuned: never tuned on.
FRESH = ROOT / "tests" / "data" / "calibration_fresh.yaml"
# A second development set by that interviewer, on questions across the bank: tuned on, like dev.
DEV2 = ROOT / "tests" / "data" / "calibration_dev2.yaml"
SCORED_TURNS = ("answer",)
STRONG_KINDS = ("strong", "paraphrase_strong", "negated_correct", "code_pass", "honest_behavioural")
WRONG_KINDS = ("fluent_wrong", "negated_wrong", "behavioural_red_flag")


@dataclass
class Judged:
    item: dict[str, Any]
    human: float
    machine: float
    seconds: float
    notes: list[str]


def load_items(split: str) -> list[dict[str, Any]]:
    if split in ("fresh", "dev2"):
        return yaml.safe_load((FRESH if split == "fresh" else DEV2).read_text(encoding="utf-8"))["items"]
    items = yaml.safe_load(CALIBRATION.read_text(encoding="utf-8"))["items"]
    return [i for i in items if split == "all" or i["split"] == split]


_CODE_RESULTS: dict[tuple[str, str, str], CodeResult] = {}


def _run(source: str, language: str, question_id: str, bank: QuestionBank) -> CodeResult:
    """The sandbox's verdict, once per distinct submission (the bench replays the same items many times)."""
    key = (source, language, question_id)
    if key not in _CODE_RESULTS:
        result = run_code(source, language, bank_problem(bank, question_id))
        _CODE_RESULTS[key] = CodeResult(verdict=result.verdict, passed=result.passed, total=result.total,
                                        first_failure=result.first_failure, language=language)
    return _CODE_RESULTS[key]


def judge_item(item: dict[str, Any], evaluator: AnswerEvaluator, bank: QuestionBank) -> tuple[float, list[str], float]:
    question = bank.question(item["question_id"])
    if question is None:
        raise SystemExit(f"{item['id']}: unknown question {item['question_id']}")
    turns: list[AnswerTurn] = []
    hints = 0
    code: CodeResult | None = None
    for turn in item["turns"]:
        kind = turn["kind"]
        if kind == "answer":
            reply_to = None
            turns.append(AnswerTurn(turn["text"], reply_to))
        elif kind == "hint_request":
            hints += 1
        elif kind == "code":
            code = _run(turn["text"], turn.get("language", "python"), question.id, bank)
    # The offline brain prepares the question while it is spoken; the answer is all that is left to encode.
    evaluator.prepare(question)
    started = time.perf_counter()
    evaluation = evaluator.judge_question(question, turns, star=question.story, hints=min(hints, len(question.hints)),
                                          code=code)
    return evaluation.score, evaluation.notes, time.perf_counter() - started


def judge_all(items: list[dict[str, Any]], evaluator: AnswerEvaluator | None = None,
              bank: QuestionBank | None = None) -> list[Judged]:
    bank = bank or load_bank()
    evaluator = evaluator or load_evaluator(bank)
    out = []
    for item in items:
        score, notes, seconds = judge_item(item, evaluator, bank)
        out.append(Judged(item, float(item["score"]), score, seconds, notes))
    return out


def agreement(judged: list[Judged]) -> dict[str, float]:
    human = np.array([j.human for j in judged])
    machine = np.array([j.machine for j in judged])
    r = float(np.corrcoef(human, machine)[0, 1]) if len(judged) > 2 else float("nan")
    pairs = ordered = 0
    strong_wrong = strong_wrong_ok = 0
    for i, a in enumerate(judged):
        for b in judged[i + 1:]:
            if a.item["question_id"] != b.item["question_id"] and a.item["type"] != b.item["type"]:
                continue
            if abs(a.human - b.human) >= 2.0:
                pairs += 1
                ordered += (a.machine - b.machine) * (a.human - b.human) > 0
            kinds = {a.item["kind"], b.item["kind"]}
            if kinds & set(STRONG_KINDS) and kinds & set(WRONG_KINDS) and a.item["kind"] != b.item["kind"]:
                strong, wrong = (a, b) if a.item["kind"] in STRONG_KINDS else (b, a)
                if strong.human > wrong.human:
                    strong_wrong += 1
                    strong_wrong_ok += strong.machine > wrong.machine
    off_topic = [j.machine for j in judged if j.item["kind"] == "off_topic"]
    times = sorted(j.seconds for j in judged)
    return {
        "items": len(judged),
        "pearson_r": round(r, 3),
        "mae": round(float(np.mean(np.abs(human - machine))), 2),
        "off_by_3_or_more": int(np.sum(np.abs(human - machine) >= 3.0)),
        "ranking_accuracy": round(ordered / pairs, 3) if pairs else float("nan"),
        "ranking_pairs": pairs,
        "strong_above_wrong": round(strong_wrong_ok / strong_wrong, 3) if strong_wrong else float("nan"),
        "strong_wrong_pairs": strong_wrong,
        "max_off_topic": max(off_topic) if off_topic else float("nan"),
        "judge_p50_ms": round(1000 * times[len(times) // 2], 1) if times else 0.0,
        "judge_p90_ms": round(1000 * times[int(len(times) * 0.9)], 1) if times else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="heldout", choices=("dev", "dev2", "heldout", "fresh", "all"))
    parser.add_argument("--worst", type=int, default=0, help="print the N items the evaluator disagrees with most")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    bank = load_bank()
    evaluator = load_evaluator(bank)
    evaluator.warm()
    judged = judge_all(load_items(args.split), evaluator, bank)
    numbers = agreement(judged)
    if args.json:
        print(json.dumps(numbers))
    else:
        for key, value in numbers.items():
            print(f"{key:22s} {value}")
        by_kind: dict[str, list[Judged]] = {}
        for j in judged:
            by_kind.setdefault(j.item["kind"], []).append(j)
        for kind, group in sorted(by_kind.items()):
            gap = np.mean([j.machine - j.human for j in group])
            print(f"  {kind:22s} n={len(group):3d} human {np.mean([j.human for j in group]):4.1f} "
                  f"machine {np.mean([j.machine for j in group]):4.1f} (bias {gap:+.1f})")
    for j in sorted(judged, key=lambda j: -abs(j.machine - j.human))[: args.worst]:
        print(f"{j.item['id']} {j.item['kind']:20s} {j.item['question_id']:32s} human {j.human:4.1f} "
              f"machine {j.machine:4.1f}  {j.item['reason'][:90]}")
        for note in j.notes[:4]:
            print(f"      {note[:150]}")


if __name__ == "__main__":
    main()
