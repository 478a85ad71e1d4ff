"""The voice pipeline: microphone → VAD → streaming Whisper → interviewer → sentence-streamed Piper → speaker.

Every part is passed in (sources, sinks, recognizer, synthesizer), so tests swap the microphone for a WAV file and
the speaker for a recording.
"""
