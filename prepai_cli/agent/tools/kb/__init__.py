"""Knowledge base search: topic notes and the question bank, indexed with BM25."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from prepai_cli.agent.tools.kb.documents import GENERAL, KnowledgeError, load_documents, notes_dir
from prepai_cli.agent.tools.kb.export import export_documents
from prepai_cli.agent.tools.kb.index import KnowledgeIndex
from prepai_cli.agent.tools.kb.models import KBDocument, KBHit
from prepai_cli.bank import load_bank


@cache
def default_index() -> KnowledgeIndex:
    """Built on first use and kept for the process: the notes and bank are read-only at run time."""
    return KnowledgeIndex(load_documents(load_bank()))


def search(query: str, interview_type: str | None = None, top_k: int = 5) -> list[KBHit]:
    return default_index().search(query, interview_type=interview_type, top_k=top_k)


def export_default(dest_dir: Path) -> list[Path]:
    return export_documents(default_index().documents, dest_dir)


__all__ = [
    "GENERAL", "KBDocument", "KBHit", "KnowledgeError", "KnowledgeIndex", "default_index", "export_default",
    "export_documents", "load_documents", "notes_dir", "search",
]
