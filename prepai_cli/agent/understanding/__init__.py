"""Understanding candidate turns before the interviewer answers them."""

from prepai_cli.agent.understanding.reader import META_INTENTS, Intent, Phase, ReaderTuning, TurnReader, TurnReading

__all__ = ["META_INTENTS", "Intent", "Phase", "ReaderTuning", "TurnReader", "TurnReading"]
