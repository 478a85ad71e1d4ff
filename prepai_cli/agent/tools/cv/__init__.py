"""CV analysis: reads PDF/DOCX/TXT/MD CVs and extracts what an interviewer would probe."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prepai_cli.agent.tools.cv.analyze import analyze_text
from prepai_cli.agent.tools.cv.models import Claim, CVProfile, Gap, Project, Role, Skill
from prepai_cli.agent.tools.cv.questions import cv_questions
from prepai_cli.agent.tools.cv.reading import MAX_CV_BYTES, CVReadError, read_cv_text


def analyze_file(path: Path, today: date | None = None) -> CVProfile:
    return analyze_text(read_cv_text(path), today=today)


__all__ = [
    "CVProfile", "CVReadError", "Claim", "Gap", "MAX_CV_BYTES", "Project", "Role", "Skill", "analyze_file",
    "analyze_text", "cv_questions", "read_cv_text",
]
