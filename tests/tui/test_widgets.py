"""Widget behaviour: merged partial floods, transcript auto-scroll, report export."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from textual.app import App, ComposeResult

from prepai_cli.screens.report import ReportExported, ReportLoaded, ReportScreen
from prepai_cli.store import SessionStore
from prepai_cli.tui import messages as m
from prepai_cli.tui.app import PrepAIApp
from prepai_cli.tui.bridge import TuiOutput, VoiceFeed
from prepai_cli.tui.coalesce import joined_text, latest_text
from prepai_cli.tui.services import Services
from prepai_cli.widgets.transcript import TranscriptPane
from tests.tui.helpers import Recorder, seeded_session, wait_for

pytestmark = pytest.mark.anyio
AT = datetime(2026, 1, 15, 10, 30)


def test_a_flood_of_partials_costs_one_message_and_shows_the_newest() -> None:
    posted: list[Any] = []
    feed = VoiceFeed(posted.append)
    for i in range(1000):
        feed.partial(f"partial {i}")
    assert len(posted) == 1
    assert posted[0].text == "partial 999"
    feed.partial("after the UI caught up")
    assert len(posted) == 2 and posted[1].text == "after the UI caught up"


def test_streamed_text_is_joined_in_order_and_never_crosses_segments() -> None:
    posted: list[Any] = []
    output = TuiOutput(posted.append)
    output.begin_segment("feedback", {})
    for word in ["Good. ", "Nice ", "answer."]:
        output.write(word)
    output.begin_segment("question", {"number": 2, "of": 3})
    output.write("Next question.")
    kinds = [type(p).__name__ for p in posted]
    assert kinds == ["SegmentStarted", "InterviewerText", "SegmentStarted", "InterviewerText"]
    texts = [p.text for p in posted if isinstance(p, m.InterviewerText)]
    assert texts == ["Good. Nice answer.", "Next question."]


def test_slots_reset_after_take() -> None:
    joined = joined_text()
    assert joined.put("a") and not joined.put("b")
    assert joined.take() == "ab" and joined.take() == ""
    latest = latest_text()
    assert latest.put("x") and not latest.put("y") and latest.take() == "y"


class TranscriptApp(App[None]):
    def compose(self) -> ComposeResult:
        yield TranscriptPane(id="t")


async def test_transcript_follows_new_text_until_the_user_scrolls_up() -> None:
    app = TranscriptApp()
    async with app.run_test(size=(60, 12)) as pilot:
        pane = app.query_one(TranscriptPane)
        for i in range(12):
            pane.begin_interviewer("question", {"number": i + 1, "of": 12}, AT)
            pane.append_interviewer(f"Question number {i + 1}?", AT)
        await pilot.pause()
        assert pane.max_scroll_y > 0 and pane.scroll_y == pane.max_scroll_y and pane.following

        pane.scroll_to(y=0, animate=False)
        await pilot.pause()
        assert not pane.following
        pane.add_notice("more text arrives while the user reads", AT)
        pane.show_partial("I am still talking", AT)
        await pilot.pause()
        assert pane.scroll_y == 0, "new text must not yank the view back down after the user scrolled up"

        pane.scroll_end(animate=False)
        await pilot.pause()
        assert pane.following
        pane.add_candidate("I am still talking about it", "answer", "voice", AT)
        pane.add_notice("and the view follows again", AT)
        await pilot.pause()
        assert pane.scroll_y == pane.max_scroll_y


async def test_report_exports_markdown_html_and_json(services: Services, store: SessionStore) -> None:
    session_id = seeded_session(store)
    recorder = Recorder()
    app = PrepAIApp(services, resume=session_id)
    async with app.run_test(size=(100, 30), message_hook=recorder) as pilot:
        await wait_for(pilot, lambda: bool(recorder.of(ReportLoaded)))
        assert isinstance(app.screen, ReportScreen)
        await pilot.press("m", "h", "j")
        await wait_for(pilot, lambda: len(recorder.of(ReportExported)) == 3)
    paths = {e.fmt: e.path for e in recorder.of(ReportExported)}
    assert set(paths) == {"markdown", "html", "json"}
    assert "arrays and hashing" in paths["markdown"].read_text(encoding="utf-8")
    assert paths["html"].read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    assert f'"session_id": "{session_id}"' in paths["json"].read_text(encoding="utf-8")


class _Source:
    """Two frames of a loud tone, standing in for a microphone."""

    def __init__(self) -> None:
        import numpy as np

        self.samples = (0.3 * np.sin(np.linspace(0, 200, 512))).astype(np.float32)
        self.finished = False

    def read(self, timeout: float) -> Any:
        from prepai_cli.audio.frames import AudioFrame

        return AudioFrame(self.samples.copy(), 16000, 0.0)

    def set_floor(self, candidate_may_speak: bool) -> None:
        pass

    def close(self) -> None:
        pass


def test_mute_and_push_to_talk_turn_the_microphone_into_silence() -> None:
    from prepai_cli.tui.voice import GatedSource

    posted: list[Any] = []
    feed = VoiceFeed(posted.append)
    gate = GatedSource(_Source(), feed)

    def read() -> tuple[float, float]:
        frame = gate.read(0.1)
        level = posted[-1].level if posted else 0.0
        posted.clear()
        return float(abs(frame.samples).max()), level

    peak, level = read()
    assert peak > 0.25 and level > 0.5  # hands-free: audio passes, the meter moves
    gate.push_to_talk = True
    assert read() == (0.0, 0.0)  # push-to-talk, space not pressed: silence
    gate.talking = True
    assert read()[0] > 0.25
    gate.muted = True
    assert read() == (0.0, 0.0)  # mute wins over talking
