"""How often the offline interviewer understands what a candidate turn is (tests/data/turn_intents.yaml).

The label compared is what the interviewer acts on: the turn reader's kind, with an answer that does not address
the question counted as off_topic (the brain steers those back). Tune on `--split dev`; report `--split heldout`.

    python bench/turn_understanding.py [--split dev|heldout|all] [--errors]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from prepai_cli.agent.evaluator import AnswerEvaluator, load_evaluator  # noqa: E402
from prepai_cli.agent.evaluator.evaluator import OFF_TOPIC_BELOW  # noqa: E402
from prepai_cli.agent.understanding import TurnReader  # noqa: E402
from prepai_cli.bank import QuestionBank, load_bank  # noqa: E402

INTENTS = ROOT / "tests" / "data" / "turn_intents.yaml"


def load_items(split: str) -> list[dict[str, Any]]:
    items = yaml.safe_load(INTENTS.read_text(encoding="utf-8"))["items"]
    return [i for i in items if split == "all" or i["split"] == split]


def understood(item: dict[str, Any], reader: TurnReader, evaluator: AnswerEvaluator, bank: QuestionBank) -> str:
    question = bank.question(item["question_id"])
    phase = "closing_questions" if item["intent"] == "candidate_question" else "question"
    type_ = bank.interview_type(question.types[0]) if question else None
    reading = reader.read(item["text"], question, phase=phase,
                          candidate_questions=type_.candidate_questions if type_ else ())
    if reading.intent == "answer" and question is not None and evaluator.relevance(question, item["text"]) < OFF_TOPIC_BELOW:
        return "off_topic"
    return reading.intent


def run(split: str) -> tuple[float, list[tuple[dict[str, Any], str]], float]:
    bank = load_bank()
    evaluator = load_evaluator(bank)
    evaluator.warm()
    reader = TurnReader(evaluator)
    items = load_items(split)
    started = time.perf_counter()
    results = [(item, understood(item, reader, evaluator, bank)) for item in items]
    per_turn = (time.perf_counter() - started) / max(1, len(items))
    accuracy = sum(item["intent"] == label for item, label in results) / max(1, len(results))
    return accuracy, results, per_turn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="heldout", choices=("dev", "heldout", "all"))
    parser.add_argument("--errors", action="store_true")
    args = parser.parse_args()
    accuracy, results, per_turn = run(args.split)
    print(f"items {len(results)}  accuracy {accuracy:.3f}  mean {1000 * per_turn:.0f} ms per turn")
    wrong = Counter((item["intent"], label) for item, label in results if item["intent"] != label)
    for (expected, got), count in wrong.most_common():
        print(f"  {expected:20s} read as {got:20s} {count}")
    if args.errors:
        for item, label in results:
            if item["intent"] != label:
                print(f"  [{item['intent']} -> {label}] {item['text'][:110]}")


if __name__ == "__main__":
    main()
