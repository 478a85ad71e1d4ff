"""What the TUI is given to work with; everything that touches disk, models or devices is passed in here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from prepai_cli.agent.brain import Brain
from prepai_cli.agent.offline import ToolBox
from prepai_cli.bank import QuestionBank
from prepai_cli.domain import Session
from prepai_cli.interview.io import CandidateInput, InterviewerOutput
from prepai_cli.store import SessionStore
from prepai_cli.tui.bridge import VoiceFeed
from prepai_cli.tui.clock import Clock, SystemClock


@dataclass
class VoiceIO:
    """A loaded voice pipeline: `input` listens (mic, WAV file, script), `output` speaks (None: text only)."""

    input: CandidateInput
    output: InterviewerOutput | None = None
    # What the panel calls the input: "microphone", "WAV file answers.wav", "scripted answers".
    label: str = "microphone"
    # Whether the input understands push-to-talk and mute (a microphone does, a WAV file does not).
    live: bool = True
    # Releases devices and model threads when the interview is over.
    close: Callable[[], None] | None = None
    # Cuts the interviewer's playback short (Save & quit should not wait for a sentence to finish).
    stop_speaking: Callable[[], None] | None = None


# Reports start-up progress: a step name and 0..1 within that step.
Progress = Callable[[str, float], None]
# Builds the voice pipeline for a session on a worker thread; raises to say voice is unavailable (the reason is
# shown in the voice panel and typing takes over).
VoiceFactory = Callable[[Session, VoiceFeed, Progress], VoiceIO]


@dataclass
class InterviewSetup:
    """Choices for a new interview, from the picker or the command line."""

    type: str
    difficulty: int | None = None
    questions: int | None = None
    minutes: int | None = None
    cv_path: Path | None = None
    brain: str | None = None  # one of Services.brain_choices; None: Services.brain_name


@dataclass(frozen=True)
class BrainChoice:
    """Another brain the picker offers, e.g. a local model server found running on this machine."""

    name: str  # stored with the session ("local")
    label: str  # what the picker shows ("local: llama3.2:3b on Ollama")
    factory: Callable[[], Brain]


@dataclass
class Services:
    store: SessionStore
    bank: QuestionBank
    brain_name: str
    candidate: str
    brain_factory: Callable[[], Brain]
    voice_factory: VoiceFactory | None = None
    tools: ToolBox | None = None
    clock: Clock = field(default_factory=SystemClock)
    # Settings defaults the picker starts from.
    default_questions: int | None = None
    default_minutes: int | None = None
    brain_choices: list[BrainChoice] = field(default_factory=list)

    def factory_for(self, brain: str) -> Callable[[], Brain]:
        return next((c.factory for c in self.brain_choices if c.name == brain), self.brain_factory)
