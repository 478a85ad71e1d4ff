"""The knowledge base's documents: the markdown notes in prepai_cli/knowledge/ plus the question bank."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import yaml

from prepai_cli.agent.tools.kb.models import KBDocument
from prepai_cli.bank import Question, QuestionBank
from prepai_cli.errors import PrepAIError

GENERAL = "general"
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_SECTION = re.compile(r"^## +(.+)$", re.MULTILINE)


class KnowledgeError(PrepAIError):
    pass


def notes_dir() -> Path:
    return Path(str(resources.files("prepai_cli") / "knowledge"))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def parse_note(path: Path) -> list[KBDocument]:
    """A note is front matter (title, type) and markdown; each `##` section becomes its own document so a
    hit points at the paragraph that answers the query, not a whole page."""
    text = path.read_text(encoding="utf-8")
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise KnowledgeError(f"knowledge note {path.name} has no front matter (--- title/type ---)")
    meta = yaml.safe_load(match.group(1)) or {}
    title, note_type = meta.get("title"), meta.get("type")
    if not isinstance(title, str) or not isinstance(note_type, str):
        raise KnowledgeError(f"knowledge note {path.name} needs string 'title' and 'type' in its front matter")
    body = text[match.end():]
    headings = list(_SECTION.finditer(body))
    if not headings:
        raise KnowledgeError(f"knowledge note {path.name} has no '## ' sections")
    docs = []
    for i, heading in enumerate(headings):
        end = headings[i + 1].start() if i + 1 < len(headings) else len(body)
        section_text = body[heading.end():end].strip()
        docs.append(KBDocument(
            doc_id=f"note:{path.stem}#{_slug(heading.group(1))}", title=f"{title}: {heading.group(1).strip()}",
            type=note_type, types=(note_type,), kind="note", body=section_text,
        ))
    return docs


def question_document(question: Question) -> KBDocument:
    lines = [question.text.strip(), "", "What a strong answer covers:"]
    lines += [f"- {kp.text}" for kp in question.key_points]
    lines += ["", "Hints:"] + [f"- {hint}" for hint in question.hints]
    if question.red_flags:
        lines += ["", "Red flags:"] + [f"- {flag}" for flag in question.red_flags]
    return KBDocument(
        doc_id=f"question:{question.id}", title=f"{question.topic} ({question.id})", type=question.types[0],
        types=tuple(question.types), kind="question", body="\n".join(lines),
    )


def load_documents(bank: QuestionBank, directory: Path | None = None) -> list[KBDocument]:
    directory = directory or notes_dir()
    docs: list[KBDocument] = []
    for path in sorted(directory.glob("*.md")):
        docs.extend(parse_note(path))
    docs.extend(question_document(q) for q in bank.all_questions())
    return docs
