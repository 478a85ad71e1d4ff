"""Progress over stored sessions, recurring weak areas, and weak topics steering the next interview."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from typer.testing import CliRunner

from prepai_cli.agent.brain import Conversation
from prepai_cli.agent.events import SegmentStarted
from prepai_cli.agent.offline import OfflineBrain
from prepai_cli.bank import Question, QuestionBank
from prepai_cli.commands import progress as progress_command
from prepai_cli.commands.progress import render_progress
from prepai_cli.domain import Session
from prepai_cli.report.progress import build_progress, weak_topics
from prepai_cli.store import SessionStore
from tests.report.builders import SessionWriter, evaluation

# Overall scores 3.5, 5.0, 6.5, 8.5: a clear upward trend.
SESSION_SCORES = [(3.0, 4.0), (5.0, 5.0), (6.0, 7.0), (8.0, 9.0)]


def _interview(store: SessionStore, interview_type: str, asked: list[tuple[Question, list[str], float]]) -> Session:
    w = SessionWriter(store, interview_type)
    w.intro(0)
    at = 10.0
    for question, covered, score in asked:
        w.question(question, at=at)
        w.answer(question, "My answer.", at=at + 10, duration=30, evaluation=evaluation(question, covered, score))
        at += 60
    return w.finish("ended")


def one_point(q: Question) -> list[str]:
    return [q.key_points[0].id]


def all_but_one(q: Question) -> list[str]:
    return [kp.id for kp in q.key_points[1:]]


def _history(store: SessionStore, bank: QuestionBank) -> tuple[Question, Question, Question]:
    """Four sessions; `weak` is missed (score under 7.5) in the first two, `near` misses once, `strong` is strong."""
    questions = bank.questions("google-sde")
    weak, near, strong, other = questions[0], questions[1], questions[2], questions[3]
    plans = [
        [(weak, one_point(weak), SESSION_SCORES[0][0]), (other, [kp.id for kp in other.key_points], SESSION_SCORES[0][1])],
        [(weak, one_point(weak), SESSION_SCORES[1][0]), (other, [kp.id for kp in other.key_points], SESSION_SCORES[1][1])],
        [(near, all_but_one(near), SESSION_SCORES[2][0]), (other, [kp.id for kp in other.key_points], SESSION_SCORES[2][1])],
        [(strong, all_but_one(strong), SESSION_SCORES[3][0]), (other, [kp.id for kp in other.key_points], SESSION_SCORES[3][1])],
    ]
    for plan in plans:
        _interview(store, "google-sde", plan)
    return weak, near, strong


def test_progress_points_and_trend_follow_the_stored_sessions(store: SessionStore, bank: QuestionBank) -> None:
    _history(store, bank)
    report = build_progress(store, bank, "google-sde")
    [progress] = report.types
    assert [p.scores["overall"] for p in progress.points] == [3.5, 5.0, 6.5, 8.5]
    overall = next(t for t in progress.trends if t.series == "overall")
    assert (overall.first, overall.last, overall.change, overall.sessions) == (3.5, 8.5, 5.0, 4)
    # Least squares over x = 0..3: sum((x - 1.5)(y - 5.875)) / sum((x - 1.5)^2) = 8.25 / 5.
    assert overall.slope == 1.65
    assert all(p.scores["delivery"] is None for p in progress.points)  # typed sessions: no delivery series


def test_weak_areas_are_topics_missed_twice(store: SessionStore, bank: QuestionBank) -> None:
    weak, near, strong = _history(store, bank)
    [progress] = build_progress(store, bank, "google-sde").types
    assert [a.topic for a in progress.weak_areas] == [weak.topic]
    area = progress.weak_areas[0]
    missed = len(weak.key_points) - 1
    assert area.misses == 2 * missed and area.sessions == 2 and area.mean_score == 4.0
    assert area.missed_key_points == [kp.text for kp in weak.key_points[1:]]
    assert {k.key_point for k in progress.recurring_key_points} == {kp.text for kp in weak.key_points[1:]}
    assert all(k.misses == 2 for k in progress.recurring_key_points)
    # `near` missed one key point once; `strong` missed one but scored 8.0, so neither is a weak area.
    assert near.topic not in [a.topic for a in progress.weak_areas] and strong.topic not in [a.topic for a in progress.weak_areas]
    assert weak_topics(store, "google-sde", bank) == [weak.topic]


def _first_question(brain: OfflineBrain, session: Session, store: SessionStore) -> str:
    events = list(brain.respond(Conversation(session, store.turns(session.id))))
    return next(e.question_id for e in events if isinstance(e, SegmentStarted) and e.kind == "question")


def _no_evaluation() -> object:
    raise AssertionError("the opening question needs no evaluation")


def test_weak_topics_steer_the_next_interview(store: SessionStore, bank: QuestionBank) -> None:
    brain = OfflineBrain(bank, _no_evaluation)  # type: ignore[arg-type]
    control = store.create_session("system-design", "offline", "ada")
    picked_without_focus = _first_question(brain, control, store)
    store.delete_session(control.id)
    # A medium question (the brain opens at difficulty 2) that it would not have picked on its own.
    target = next(q for q in bank.questions("system-design") if q.difficulty == 2 and q.id != picked_without_focus)
    for _ in range(2):
        _interview(store, "system-design", [(target, [target.key_points[0].id], 3.0)])
    focus = weak_topics(store, "system-design", bank)
    assert focus == [target.topic]
    nxt = store.create_session("system-design", "offline", "ada", {"focus_topics": focus})
    assert _first_question(brain, nxt, store) == target.id


def _cli() -> typer.Typer:
    app = typer.Typer()
    progress_command.register(app)

    @app.command("noop")
    def noop() -> None:
        """Keeps typer in multi-command mode so `progress` is addressed by name."""

    return app


def test_progress_command_json_and_plain_table_when_not_a_terminal(store: SessionStore, bank: QuestionBank) -> None:
    weak, _, _ = _history(store, bank)
    runner = CliRunner()
    as_json = runner.invoke(_cli(), ["progress", "--type", "google-sde", "--json"])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    assert [p["scores"]["overall"] for p in data["types"][0]["points"]] == [3.5, 5.0, 6.5, 8.5]
    table = runner.invoke(_cli(), ["progress", "--type", "google-sde"], env={"COLUMNS": "160"})
    assert table.exit_code == 0, table.output
    assert "Over 4 sessions: Overall 3.5 → 8.5 (+5.0)" in table.output
    assert weak.topic in table.output
    assert "┤" not in table.output  # no plot when the output is not a terminal


def test_progress_plot_in_a_terminal(store: SessionStore, bank: QuestionBank) -> None:
    _history(store, bank)
    console = Console(record=True, width=100, force_terminal=True, color_system="standard")
    render_progress(build_progress(store, bank, "google-sde"), console, plot=True)
    out = console.export_text()
    assert "google-sde: scores per session" in out
    assert "10.0┤" in out and " 0.0┤" in out
    assert "• Overall" in out and "• Technical" in out and "• Delivery" not in out
