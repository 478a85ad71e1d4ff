"""Sound-device failures in words a candidate understands, with the setting that picks another device."""

from __future__ import annotations

import re

PICK_DEVICE = ("To choose a device: prepai config set audio.input_device NAME (the microphone) and "
               "audio.output_device NAME (the speaker); `python -m sounddevice` lists the names.")

# PortAudio's terse errors, and what they mean for the person at the keyboard.
_PORTAUDIO_WORDS = [
    (re.compile(r"querying device -1|no default (input|output) device|device unavailable", re.I),
     "the computer reports no {what}"),
    (re.compile(r"no device matching|invalid device|device .* not found|no such device", re.I),
     "the configured {what} was not found"),
    (re.compile(r"portaudio is not installed|portaudio library not found", re.I),
     "the PortAudio sound library is not installed (sudo apt-get install libportaudio2)"),
    (re.compile(r"invalid (number of channels|sample rate)", re.I), "the {what} refused to open"),
]


def device_failure_words(reason: str) -> str:
    """'no usable microphone (Error querying device -1)' → 'the computer reports no microphone'."""
    what = "speaker" if "speaker" in reason.lower() else "microphone"
    for pattern, words in _PORTAUDIO_WORDS:
        if pattern.search(reason):
            return words.format(what=what)
    return reason


def no_voice_note(reason: str) -> str:
    """What the app says when the voice could not start: why, what happens instead, how to fix it."""
    return (f"No voice: {device_failure_words(reason)}. Without a microphone the interviewer does not speak "
            f"either: its words are shown here as text. Type your answers below the transcript (enter sends). "
            f"{PICK_DEVICE}")
