"""Loads and validates the bank's YAML files."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from prepai_cli.bank.models import BankFile, InterviewType, Question
from prepai_cli.errors import PrepAIError

TYPE_ORDER = (
    "google-sde", "amazon-sde", "aws-solutions-architect", "azure-solutions-architect",
    "gcp-solutions-architect", "system-design", "behavioral", "cv-grilling", "coding-round",
)


# libyaml's loader parses the bank ~15x faster than the pure-Python one, which matters for cold start.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class BankError(PrepAIError):
    """A bank file is missing or malformed."""


class UnknownInterviewType(PrepAIError):
    def __init__(self, slug: str, valid: list[str]):
        super().__init__(f"unknown interview type {slug!r}; valid types: {', '.join(valid)}")


def data_dir() -> Path:
    return Path(str(resources.files("prepai_cli.bank") / "data"))


def load_bank_file(path: Path) -> BankFile:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)
    except (OSError, yaml.YAMLError) as exc:
        raise BankError(f"cannot read question bank file {path}: {exc}") from exc
    try:
        return BankFile.model_validate(raw)
    except ValidationError as exc:
        raise BankError(f"invalid question bank file {path}: {exc}") from exc


@dataclass(frozen=True)
class QuestionBank:
    files: dict[str, BankFile]
    # Questions made for one session (from the candidate's CV), found by id like bank questions.
    extra: tuple[Question, ...] = ()

    def with_session_questions(self, settings: dict[str, object]) -> "QuestionBank":
        return QuestionBank(self.files, tuple(session_questions(settings)))

    @property
    def slugs(self) -> list[str]:
        return [s for s in TYPE_ORDER if s in self.files] + sorted(set(self.files) - set(TYPE_ORDER))

    def interview_type(self, slug: str) -> InterviewType:
        return self.file(slug).type

    def file(self, slug: str) -> BankFile:
        try:
            return self.files[slug]
        except KeyError:
            raise UnknownInterviewType(slug, self.slugs) from None

    def questions(self, slug: str) -> list[Question]:
        return list(self.file(slug).questions)

    def all_questions(self) -> list[Question]:
        seen: dict[str, Question] = {}
        for slug in self.slugs:
            for q in self.files[slug].questions:
                seen.setdefault(q.id, q)
        return list(seen.values())

    def question(self, question_id: str) -> Question | None:
        for extra in self.extra:
            if extra.id == question_id:
                return extra
        for bank_file in self.files.values():
            for q in bank_file.questions:
                if q.id == question_id:
                    return q
        return None


def session_questions(settings: dict[str, object]) -> list[Question]:
    """Questions derived from the candidate's CV when the session was created (see interview/setup.py)."""
    raw = settings.get("cv_questions") or []
    return [Question.model_validate(item) for item in raw] if isinstance(raw, list) else []


def load_bank_from(directory: Path) -> QuestionBank:
    files: dict[str, BankFile] = {}
    for path in sorted(directory.glob("*.yaml")):
        bank_file = load_bank_file(path)
        if bank_file.type.slug != path.stem:
            raise BankError(f"{path.name} declares type {bank_file.type.slug!r}; name the file after its type")
        files[bank_file.type.slug] = bank_file
    if not files:
        raise BankError(f"no question bank files in {directory}")
    return QuestionBank(files)


@cache
def load_bank() -> QuestionBank:
    """The packaged bank; parsed once per process because it never changes at run time."""
    return load_bank_from(data_dir())
