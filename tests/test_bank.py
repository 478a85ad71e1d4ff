from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from prepai_cli.bank import QuestionBank
from prepai_cli.bank.loader import TYPE_ORDER, BankError, UnknownInterviewType, data_dir, load_bank_file, load_bank_from


def test_every_interview_type_has_a_valid_bank_of_at_least_15(bank: QuestionBank) -> None:
    assert bank.slugs == list(TYPE_ORDER)
    for slug in TYPE_ORDER:
        questions = bank.questions(slug)
        assert len(questions) >= 15, slug
        assert {q.difficulty for q in questions} == {1, 2, 3}, f"{slug} needs every difficulty level"


def test_question_ids_are_unique_across_the_bank(bank: QuestionBank) -> None:
    ids = [q.id for slug in bank.slugs for q in bank.questions(slug)]
    assert len(ids) == len(set(ids))


def test_coding_questions_carry_signatures_and_tests(bank: QuestionBank) -> None:
    coding = [q for q in bank.all_questions() if q.category == "coding"]
    assert len(coding) >= 15
    for q in coding:
        assert q.coding is not None and len(q.coding.tests) >= 3


def test_spoken_text_has_no_markdown(bank: QuestionBank) -> None:
    for q in bank.all_questions():
        for text in (q.text, *q.hints, *(f.text for f in q.follow_ups)):
            assert not any(mark in text for mark in ("**", "`", "# ", "](")), (q.id, text)


def _write_bank(tmp_path: Path, mutate) -> Path:
    source = data_dir() / "behavioral.yaml"
    raw = yaml.safe_load(source.read_text())
    mutate(raw)
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "behavioral.yaml").write_text(yaml.safe_dump(raw))
    return folder


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda raw: raw["questions"][0]["follow_ups"][0].update(key_point="no-such-point"), "unknown key point"),
        (lambda raw: raw["questions"][0].update(difficulty=7), "difficulty"),
        (lambda raw: raw["questions"][0].pop("key_points"), "key_points"),
        (lambda raw: raw["questions"][1].update(id=raw["questions"][0]["id"]), "duplicate question ids"),
        (lambda raw: raw["questions"][0].update(surprise="field"), "surprise"),
        (lambda raw: raw.update(questions=raw["questions"][:3]), "at least 15"),
        (lambda raw: raw["questions"][0].update(types=["google-sde"]), "does not list its file's type"),
    ],
)
def test_malformed_entries_are_rejected(tmp_path: Path, mutate, message: str) -> None:
    folder = _write_bank(tmp_path, mutate)
    with pytest.raises(BankError, match=message):
        load_bank_from(folder)


def test_broken_yaml_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "behavioral.yaml"
    path.write_text("type: [unclosed\n")
    with pytest.raises(BankError, match="cannot read question bank file"):
        load_bank_file(path)


def test_unknown_type_lists_valid_ones(bank: QuestionBank) -> None:
    with pytest.raises(UnknownInterviewType) as info:
        bank.interview_type("google-swe")
    assert "google-sde" in str(info.value) and "coding-round" in str(info.value)
