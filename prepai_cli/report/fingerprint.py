"""A digest of everything a report is computed from, so a stored report can tell when it is stale."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from prepai_cli.domain import Session, Turn


def evaluation_fingerprint(session: Session, turns: list[Turn],
                           llm_judgements: dict[int, dict[str, Any]] | None = None) -> str:
    """Changes when a turn is added, re-evaluated, judged by an LLM or gets late metrics, or the status changes."""
    payload: dict[str, Any] = {
        "status": session.status,
        "type": session.type,
        "turns": [
            [t.index, t.role, t.kind, t.text, t.question_id, t.evaluation, t.metrics,
             t.started_at.isoformat(), t.ended_at.isoformat()]
            for t in turns
        ],
    }
    if llm_judgements:  # absent for sessions no LLM judged, so their fingerprints stay as they were
        payload["llm_judgements"] = {str(index): judgement for index, judgement in sorted(llm_judgements.items())}
    encoded = json.dumps(payload, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def builder_fingerprint() -> str:
    """A digest of the report package's own code, so upgrading PrepAI rebuilds reports made by older code."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(path.name.encode("utf-8"))
        digest.update(path.read_bytes())
    return digest.hexdigest()
