"""What a new session starts with; shared by the console and the TUI so both start interviews the same way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prepai_cli.bank import QuestionBank
from prepai_cli.store import SessionStore


CV_TYPE = "cv-grilling"
NO_CV_WARNING = ("No CV given: cv-grilling asks about your own CV, so without one its questions are general ones about "
                 "your experience. Pass --cv resume.pdf (PDF, DOCX, TXT or MD) to be asked about what you wrote.")


def new_session_settings(
    store: SessionStore,
    bank: QuestionBank,
    interview_type: str,
    *,
    questions: int | None,
    minutes: int | None,
    difficulty: int | None,
    cv_path: Path | None = None,
) -> dict[str, Any]:
    """The settings a new session is stored with.

    Weak topics from earlier sessions of this type steer the offline brain's question choice; a CV (PDF, DOCX,
    TXT, MD) is analysed once here and its derived questions are stored, so a resumed session asks the same ones.
    """
    from prepai_cli.report.progress import weak_topics

    settings: dict[str, Any] = {
        "questions": questions, "minutes": minutes, "difficulty": difficulty,
        "focus_topics": weak_topics(store, interview_type, bank),
    }
    if cv_path is not None:
        from prepai_cli.agent.tools.cv import analyze_file, cv_questions

        profile = analyze_file(cv_path)
        settings["cv_path"] = str(cv_path.resolve())
        settings["cv_summary"] = profile.summary()
        if interview_type == "cv-grilling":
            settings["cv_questions"] = [q.model_dump(mode="json") for q in cv_questions(profile)]
    return settings
