"""The evaluator judges content, not wording: paraphrases keep their credit, negations do not fire red flags, stated
misconceptions are named, off-topic answers score near zero, passing code beats failing code, and its scores agree
with an experienced interviewer's on the held-out half of tests/data/calibration.yaml. Real model, real bank."""

from __future__ import annotations

import pytest

from bench.evaluator_agreement import agreement, judge_all, load_items
from prepai_cli.agent.evaluator import AnswerEvaluator, AnswerTurn, CodeResult, load_evaluator
from prepai_cli.bank import QuestionBank


@pytest.fixture(scope="module")
def evaluator(bank: QuestionBank) -> AnswerEvaluator:
    e = load_evaluator(bank)
    e.warm()
    return e


def _evaluate(evaluator: AnswerEvaluator, bank: QuestionBank, qid: str, answer: str):
    question = bank.question(qid)
    assert question is not None, qid
    return evaluator.evaluate(question, answer, star=question.story)


def test_a_paraphrase_keeps_its_credit(evaluator: AnswerEvaluator, bank: QuestionBank) -> None:
    # The rubric's sentences are not used: "dictionary", "prev and next pointers", "splice", "touched longest ago".
    answer = ("I'd keep a dictionary that maps every key straight to its node, so finding an entry is O(1). The nodes "
              "sit in a list with prev and next pointers, which lets me unlink one from the middle without walking "
              "anything. On every read or write of a key I splice its node to the front. When we go over capacity I "
              "drop whatever sits at the back, the entry touched longest ago, and delete that key from the "
              "dictionary too.")
    result = _evaluate(evaluator, bank, "gsde-lru-cache", answer)
    said = {"map-to-node", "doubly-linked-order", "touch-on-use", "evict-oldest"}
    assert len(said & set(result.covered)) >= 3, result.covered
    assert result.score >= 6.0
    assert not result.red_flags and not result.misconceptions


@pytest.mark.parametrize("qid, answer, flag", [
    ("asde-product-reviews",
     "I would never compute the average at read time by scanning the reviews. Each new review updates a running sum "
     "and a count per product from a change stream, and the page reads those two numbers.",
     "scanning"),
    ("gsde-lru-cache",
     "The list has to be doubly linked, with prev and next pointers on every node, because with a singly linked list "
     "you could not unlink a node in constant time. A hash map points from each key to its node.",
     "singly linked"),
    ("awssa-flash-sale-spike",
     "Seats are reserved with DynamoDB conditional writes so a seat can never be sold twice, and we never do a read "
     "followed by an unconditional write.",
     "read then write"),
])
def test_a_negated_statement_does_not_fire_its_red_flag(evaluator: AnswerEvaluator, bank: QuestionBank, qid: str,
                                                        answer: str, flag: str) -> None:
    result = _evaluate(evaluator, bank, qid, answer)
    assert not any(flag in f.lower() for f in result.red_flags), result.red_flags
    assert not result.misconceptions, result.misconceptions


def test_a_stated_misconception_is_named_with_its_correction(evaluator: AnswerEvaluator, bank: QuestionBank) -> None:
    answer = ("For logs that are rarely read I'd move them to One Zone-IA, which keeps copies in three availability "
              "zones just like Standard, so it's a safe and cheaper choice. Standard-IA is also fine because it has no "
              "retrieval charge, it's simply cheaper storage. After ninety days everything goes to Glacier Deep "
              "Archive.")
    result = _evaluate(evaluator, bank, "awssa-s3-storage-classes", answer)
    said = " ".join(hit.said for hit in result.misconceptions)
    assert "One Zone-IA" in said or "retrieval" in said
    assert any("single Availability Zone" in hit.correction or "per gigabyte" in hit.correction
               for hit in result.misconceptions)
    assert any(note.startswith("Wrong: you said") for note in result.notes)
    assert result.score <= 4.0


@pytest.mark.parametrize("qid", ["gsde-lru-cache", "beh-prioritisation", "awssa-s3-storage-classes", "sd-url-shortener"])
def test_an_off_topic_answer_scores_at_most_three(evaluator: AnswerEvaluator, bank: QuestionBank, qid: str) -> None:
    cooking = ("On Sundays I make fresh pasta with my kids. We use two hundred grams of flour and two eggs, knead it "
               "for ten minutes, let it rest, and roll it thin. Last time we made ravioli with ricotta and spinach and "
               "everyone loved it, so I learned to always make a double batch.")
    result = _evaluate(evaluator, bank, qid, cooking)
    assert result.score <= 3.0 and result.off_topic


def test_a_story_for_another_prompt_is_off_topic(evaluator: AnswerEvaluator, bank: QuestionBank) -> None:
    conflict = ("At my last job a teammate and I disagreed about whether to use GraphQL. I set up a meeting, we listed "
                "our concerns, I built a small prototype, and in the end we agreed on REST for the public API. We "
                "shipped on time and I learned to turn arguments into experiments.")
    result = _evaluate(evaluator, bank, "awssa-s3-storage-classes", conflict)
    assert result.score <= 3.0


def test_passing_code_scores_above_failing_code(evaluator: AnswerEvaluator, bank: QuestionBank) -> None:
    question = bank.question("gsde-two-sum")
    assert question is not None
    talk = [AnswerTurn("One pass with a hash map from value to index: for each number I look up target minus it, "
                       "which is linear time and linear space.")]
    passing = evaluator.judge_question(question, talk, star=False, code=CodeResult(verdict="passed", passed=7, total=7))
    failing = evaluator.judge_question(question, talk, star=False,
                                       code=CodeResult(verdict="failed", passed=2, total=7, first_failure="x"))
    silent_pass = evaluator.judge_question(question, [], star=False,
                                           code=CodeResult(verdict="passed", passed=7, total=7))
    assert passing.score > failing.score + 3
    assert failing.score <= 4.5
    assert silent_pass.score > failing.score
    assert any("2 of 7 tests" in s for s in failing.suggestions)


def test_a_strong_answer_after_a_hint_is_credited_minus_the_hint(evaluator: AnswerEvaluator, bank: QuestionBank) -> None:
    question = bank.question("gsde-lru-cache")
    assert question is not None
    turns = [AnswerTurn("A hash map from key to a node in a doubly linked list kept in recency order. Get and put move "
                        "the node to the head; when full I evict the tail node, the least recently used, and delete "
                        "its key from the map. All constant time.")]
    plain = evaluator.judge_question(question, turns, star=False)
    hinted = evaluator.judge_question(question, turns, star=False, hints=1)
    assert plain.score - hinted.score == pytest.approx(0.8, abs=0.11)
    assert hinted.score >= 5.5


def test_behavioural_substance_outweighs_star_shape(evaluator: AnswerEvaluator, bank: QuestionBank) -> None:
    heroic = ("Situation: our launch was slipping at my last company. Task: I had to deliver the payments feature in "
              "three weeks. Action: I didn't bother my manager with it, I just worked 80 hours a week and skipped code "
              "reviews so nothing slowed me down. Result: we shipped two days early and revenue grew 12 percent.")
    honest = ("At my last company I once broke checkout for about twenty minutes by shipping a config change without a "
              "canary. I rolled it back, told the incident channel, and wrote the postmortem myself. The root cause "
              "was that config skipped our staged rollout, so I added config to the same pipeline. We have had no "
              "config outage since, and I learned to treat config like code.")
    bad = _evaluate(evaluator, bank, "beh-tight-deadline", heroic)
    good = _evaluate(evaluator, bank, "beh-production-mistake", honest)
    assert bad.behaviours and bad.score <= 4.0
    assert good.score > bad.score + 2


def test_clarifying_questions_are_not_scored(evaluator: AnswerEvaluator, bank: QuestionBank) -> None:
    """The offline brain reads the turn first; a clarifying question never reaches judge_question."""
    from prepai_cli.agent.understanding import TurnReader

    question = bank.question("sd-url-shortener")
    reading = TurnReader(evaluator).read("Before I start, what scale should I assume? How many new links a month?",
                                         question)
    assert reading.intent == "clarifying_question" and not reading.scored
    assert reading.clarification is not None


def test_agreement_with_an_interviewer_on_the_held_out_half(evaluator: AnswerEvaluator, bank: QuestionBank) -> None:
    items = load_items("heldout")
    assert len(items) >= 40 and len({i["type"] for i in items}) == 9
    numbers = agreement(judge_all(items, evaluator, bank))
    # Measured on 2026-12-01 (second session): r 0.79, MAE 1.49, strong above fluent-but-wrong 0.97, off-topic at
    # most 0.5 (the issue asks r >= 0.8 and MAE <= 1.2; see README's numbers table). The bounds catch a regression.
    assert numbers["pearson_r"] >= 0.75, numbers
    assert numbers["mae"] <= 1.6, numbers
    assert numbers["strong_above_wrong"] >= 0.90, numbers
    assert numbers["max_off_topic"] <= 2.0, numbers


def test_agreement_with_a_second_interviewer_on_questions_never_tuned_on(evaluator: AnswerEvaluator,
                                                                        bank: QuestionBank) -> None:
    """tests/data/calibration_fresh.yaml: written after the evaluator was tuned, mostly on other questions, never
    tuned on. Its numbers are the honest ones, and they are well short of the issue's targets."""
    items = load_items("fresh")
    assert len(items) >= 80 and len({i["type"] for i in items}) == 9
    numbers = agreement(judge_all(items, evaluator, bank))
    # Measured on 2026-12-01: r 0.68, MAE 1.64, ranking 0.83, strong above wrong 0.79, off-topic at most 3.1
    # (before this session's changes: r 0.67, MAE 1.71, 0.815, 0.77, 3.7).
    assert numbers["pearson_r"] >= 0.64, numbers
    assert numbers["mae"] <= 1.75, numbers
    assert numbers["ranking_accuracy"] >= 0.80, numbers
    assert numbers["strong_above_wrong"] >= 0.75, numbers
    assert numbers["max_off_topic"] <= 3.5, numbers


def test_a_neighbouring_problems_memorised_answer_is_off_topic(evaluator: AnswerEvaluator, bank: QuestionBank) -> None:
    """Binary search on a rotated array, asked for the first element not smaller than a target: same words, other
    problem. The answer covers the rival question's points far better than this one's."""
    answer = ("Okay, so this is search in a rotated sorted array. The trick is that at every step of the binary search, "
              "one half is sorted, so you compare the middle with the left end to find which half, then check if the "
              "target is in that sorted half's range, and go there, otherwise go to the other half. It's log n. The "
              "edge case is when the array isn't rotated at all, which still works.")
    result = _evaluate(evaluator, bank, "code-lower-bound", answer)
    assert result.off_topic and result.score <= 2.0, (result.score, result.relevance)


def test_a_true_sentence_worded_like_a_correction_is_not_a_misconception(evaluator: AnswerEvaluator,
                                                                        bank: QuestionBank) -> None:
    answer = ("The JSON key is a long-lived password for that Google account; it never expires and works from anywhere. "
              "Kubernetes secrets are only base64 encoded, not really protected. Instead I'd turn on the GKE feature "
              "that lets a Kubernetes service account act as a Google service account, so the pod swaps its own signed "
              "token for a short-lived Google token through the metadata server, and then I'd delete the downloaded "
              "key. For roles, read objects on the one bucket, nothing like Editor.")
    result = _evaluate(evaluator, bank, "gcpsa-workload-identity", answer)
    assert not result.misconceptions, [m.said for m in result.misconceptions]


def test_a_plan_for_a_hypothetical_is_not_judged_as_a_story(evaluator: AnswerEvaluator, bank: QuestionBank) -> None:
    answer = ("I'd walk in with no slides. The first hour is them talking: what they run today, what keeps paging them "
              "at night, and what they're afraid this move will break. Then I'd be honest about why the CIO wants this, "
              "the Microsoft agreement and the business goals, and get both sides to agree what would count as success. "
              "We'd map their current system together on a whiteboard, their dependencies and deployment process. I'd "
              "ask them to pick one workload for a small pilot, so the first result is theirs. Finally I'd offer "
              "training and hands-on labs and let the team make the key design calls.")
    result = _evaluate(evaluator, bank, "azsa-skeptical-team-workshop", answer)
    assert result.structure == {}, result.structure
    assert result.score >= 6.0, result.notes


def test_a_story_that_looks_back_is_credited_for_its_lesson(evaluator: AnswerEvaluator, bank: QuestionBank) -> None:
    story = ("Last year a teammate, Priya, wanted to move our config service to gRPC streaming and I wanted to keep "
             "plain REST with polling. We went back and forth in review comments for a couple of days, so I asked her "
             "for half an hour to actually talk. It turned out her real concern was that polling meant config changes "
             "took up to a minute to reach some services. We agreed to write down what mattered and I built a tiny "
             "prototype of long-polling while she did the streaming one. We went with long-polling and she reviewed "
             "my implementation.")
    lesson = " What I took away is that I should have asked why much earlier instead of arguing in comments."
    question = bank.question("gsde-collaboration-disagreement")
    assert question is not None
    learned = next(k for k, kp in enumerate(question.key_points) if "learned" in kp.text)
    without = _evaluate(evaluator, bank, question.id, story)
    with_lesson = _evaluate(evaluator, bank, question.id, story + lesson)
    assert with_lesson.key_points[learned].covered and not without.key_points[learned].covered
    assert with_lesson.score > without.score
    assert with_lesson.structure["result"], with_lesson.structure


@pytest.mark.parametrize("qid, answer, label", [
    ("beh-conflict-peer",
     "Mark wanted MongoDB and I knew Postgres was right. When he didn't back down I went straight to our manager and "
     "asked her to overrule him. She agreed with me and we went with Postgres.",
     "escalates"),
    ("asde-ownership",
     "The platform team's builds were flaky, so I rewrote their Jenkins setup over a weekend. I didn't bother going "
     "through their review because it would have taken forever. I just merged it with my admin rights.",
     "skips code review"),
])
def test_story_red_flags_are_named(evaluator: AnswerEvaluator, bank: QuestionBank, qid: str, answer: str,
                                   label: str) -> None:
    result = _evaluate(evaluator, bank, qid, answer)
    assert any(label in b for b in result.behaviours), result.behaviours


def test_a_wrong_claim_in_one_clause_of_a_spoken_sentence_is_named_and_on_topic(evaluator: AnswerEvaluator,
                                                                                  bank: QuestionBank) -> None:
    """Whisper often joins clauses with commas; the wrong clause must still be heard, and an answer made only of
    a wrong claim about the question is challenged, not treated as off topic."""
    answer = "I just merge neighbours as they come, merging is linear time because it is one pass, no sorting needed."
    result = _evaluate(evaluator, bank, "code-merge-intervals", answer)
    assert any("linear" in m.claim for m in result.misconceptions), result.misconceptions
    assert not result.off_topic, result.relevance
