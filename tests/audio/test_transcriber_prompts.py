"""Partials (only shown) get the end of the recognizer's prompt; the final transcript (stored, and what the reply
is made from) gets all of it."""

from __future__ import annotations

import threading

from prepai_cli.audio.stt import Transcript
from prepai_cli.audio.transcriber import Job, StreamingTranscriber, Utterance


class RecordingRecognizer:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int | None]] = []
        self.done = threading.Event()

    def transcribe(self, audio, *, prompt="", beam_size=None, word_timestamps=False, cancelled=None) -> Transcript:
        self.calls.append((prompt, beam_size))
        self.done.set()
        return Transcript("words", (), len(audio) / 16000, 0.01)


def test_partials_get_a_short_prompt_and_finals_the_whole_one(speak) -> None:
    audio = speak("I would keep a counter per second in a circular buffer.")
    prompt = ("Kubernetes, DynamoDB, Redis, Kafka. " * 30) + "What is the question? Um, well, I think the answer is."
    recognizer = RecordingRecognizer()
    transcriber = StreamingTranscriber(recognizer, lambda job, transcript: None, final_beam_size=5)
    transcriber.set_prompt(prompt)
    try:
        for job in (Job(Utterance(1, 0.0, [audio]), "partial"), Job(Utterance(1, 0.0, [audio]), "final")):
            recognizer.done.clear()
            transcriber.submit(job)
            assert recognizer.done.wait(10)
    finally:
        transcriber.close()
    (partial_prompt, partial_beam), (final_prompt, final_beam) = recognizer.calls
    assert final_prompt == prompt and final_beam == 5
    assert prompt.endswith(partial_prompt) and len(partial_prompt) <= 300 and partial_beam == 1
