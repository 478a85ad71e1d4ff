"""Writes the knowledge base as markdown files per interview type, with Bedrock Knowledge Base metadata."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

from prepai_cli.agent.tools.kb.models import KBDocument

_SAFE = re.compile(r"[^a-z0-9-]+")


def _file_stem(doc: KBDocument) -> str:
    kind, _, rest = doc.doc_id.partition(":")
    note, _, section = rest.partition("#")
    name = f"{note}--{section}" if section else note
    return _SAFE.sub("-", f"{kind}-{name}".lower()).strip("-")


def export_documents(documents: list[KBDocument], dest_dir: Path) -> list[Path]:
    """One markdown file per document under `<type>/`, each with a `.metadata.json` sidecar so a Bedrock
    Knowledge Base can filter retrieval by interview type."""
    written: list[Path] = []
    counts: dict[str, int] = defaultdict(int)
    for doc in documents:
        folder = dest_dir / doc.type
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{_file_stem(doc)}.md"
        counts[doc.type] += 1
        path.write_text(f"# {doc.title}\n\n{doc.body.strip()}\n", encoding="utf-8")
        metadata = {"metadataAttributes": {
            "interview_type": doc.type, "interview_types": list(doc.types), "kind": doc.kind, "doc_id": doc.doc_id,
        }}
        path.with_name(path.name + ".metadata.json").write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written
