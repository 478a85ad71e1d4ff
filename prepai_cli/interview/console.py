"""Plain console interview: the interviewer's text streams to the terminal; answers are typed or scripted."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape

from prepai_cli.domain import utcnow
from prepai_cli.errors import PrepAIError
from prepai_cli.textfiles import read_user_text
from prepai_cli.interview.io import AnswerContext, CandidateAnswer, Delivery

_FENCE = re.compile(r"^```(?P<lang>[a-zA-Z]*)\s*\n(?P<code>.*?)\n```\s*$", re.DOTALL)
_LANGS = {"": "python", "py": "python", "python": "python", "js": "javascript", "javascript": "javascript"}
_SPEAKER_STYLE = {"intro": "cyan", "question": "bold cyan", "follow_up": "cyan", "hint": "yellow",
                  "feedback": "cyan", "closing": "bold green"}


class ConsoleOutput:
    """Streams the interviewer's words; the console has no playback, so nothing is ever interrupted."""

    def __init__(self, console: Console | None = None):
        self.console = console or Console(highlight=False)
        self._open = False

    def begin_segment(self, kind: str, meta: dict[str, Any]) -> None:
        if self._open:
            self.console.print()
        label = "Interviewer"
        if kind == "question" and meta.get("number"):
            label = f"Interviewer · question {meta['number']}/{meta.get('of', '?')}"
        elif kind == "hint":
            label = "Interviewer · hint"
        self.console.print(f"[{_SPEAKER_STYLE.get(kind, 'cyan')}]{label}:[/] ", end="")
        self._open = True

    def write(self, text: str) -> None:
        self.console.print(text, end="", markup=False, highlight=False)
        self.console.file.flush()

    def interrupted(self) -> bool:
        return False

    def end_turn(self) -> Delivery:
        if self._open:
            self.console.print()
            self._open = False
        return Delivery()

    def notice(self, message: str) -> None:
        if self._open:
            self.console.print()
            self._open = False
        self.console.print(f"[dim]{escape(message)}[/]", markup=True, highlight=False)


def parse_answer(text: str) -> CandidateAnswer:
    """A fenced code block (```python ... ```) is submitted as code; anything else is a spoken-style answer."""
    stripped = text.strip()
    match = _FENCE.match(stripped)
    if match:
        language = _LANGS.get(match["lang"].lower())
        if language is None:
            raise PrepAIError(f"unsupported code language {match['lang']!r}; use python or javascript")
        return CandidateAnswer(text=match["code"], kind="code", meta={"language": language})
    return CandidateAnswer(text=stripped)


class TypedInput:
    """Answers typed at the prompt. An empty line asks for a hint; /end or Ctrl-D ends the interview."""

    def __init__(self, console: Console | None = None, stream: TextIO | None = None):
        self.console = console or Console(highlight=False)
        self.stream = stream or sys.stdin

    def next_answer(self, context: AnswerContext) -> CandidateAnswer | None:
        while True:
            try:
                return self._read_answer()
            except PrepAIError as exc:
                # A typo in a code fence should not end the interview: say why and ask again.
                self.console.print(f"[red]{escape(str(exc))}[/]", markup=True, highlight=False)

    def _read_answer(self) -> CandidateAnswer | None:
        self.console.print("[bold magenta]You:[/] ", end="")
        self.console.file.flush()
        started = utcnow()
        line = self.stream.readline()
        if not line:
            self.console.print()
            return None
        text = line.rstrip("\n")
        if text.strip().lower() in {"/end", "/quit", "/exit"}:
            return None
        if text.strip().startswith("```"):
            # A code block: keep reading until the closing fence.
            lines = [text]
            while True:
                more = self.stream.readline()
                if not more:
                    break
                lines.append(more.rstrip("\n"))
                if more.strip() == "```":
                    break
            text = "\n".join(lines)
        answer = parse_answer(text)
        answer.started_at, answer.ended_at = started, utcnow()
        return answer


class ScriptedInput:
    """Answers from a file, one per blank-line-separated paragraph; the interview ends when they run out."""

    def __init__(self, answers: list[str], console: Console | None = None):
        # Parsed up front so a bad paragraph is reported before the interview starts, not in the middle of it.
        self._answers = [parse_answer(answer) for answer in answers]
        self.console = console

    @classmethod
    def from_file(cls, path: Path, console: Console | None = None) -> "ScriptedInput":
        text = read_user_text(path, "answers file")
        paragraphs = split_paragraphs(text)
        if not paragraphs:
            raise PrepAIError(f"answers file {path} has no answers: write one answer per paragraph, with a blank "
                              "line between answers")
        try:
            return cls(paragraphs, console)
        except PrepAIError as exc:
            raise PrepAIError(f"{path}: {exc}") from None

    def next_answer(self, context: AnswerContext) -> CandidateAnswer | None:
        if not self._answers:
            return None
        answer = self._answers.pop(0)
        answer.started_at = answer.ended_at = utcnow()
        if self.console is not None:
            self.console.print("[bold magenta]You:[/] ", end="", markup=True, highlight=False)
            # The candidate's words are never markup: `arr[i]` and `[bold]` print as typed.
            self.console.print(answer.text, markup=False, highlight=False)
        return answer


def split_paragraphs(text: str) -> list[str]:
    """Blank lines separate answers, except inside a fenced code block."""
    answers: list[str] = []
    current: list[str] = []
    in_code = False
    for line in text.splitlines():
        if line.strip().startswith("```"):
            in_code = not in_code
        if not line.strip() and not in_code:
            if current:
                answers.append("\n".join(current))
                current = []
            continue
        current.append(line)
    if current:
        answers.append("\n".join(current))
    return answers
