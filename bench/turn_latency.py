"""Turn latency of spoken interviews, end to end, on this machine.

Synthesizes answers with Piper and espeak-ng, plays them as a polite file candidate (speech as fast as the
pipeline takes it, the silence that ends each turn in real time) through the real runner, offline brain and a
temporary store, and prints p50/p90 of every latency part, STT real-time factor, WER, peak RSS and the time from
starting `prepai interview` to the first question's audio. Also sweeps the endpointing silence over the same
answers, and measures WER on answers that match their question (the interview's own answers are off-topic for
whatever it asks). Numbers on a shared 2-core machine vary by ±30% run to run.

In the default (fast) pacing each answer arrives in a burst, so a partial transcription of it is usually still
running when the turn ends and the final has to wait for it; `--realtime` (4 minutes) shows what a speaking
candidate gets, including when the first partial text appears.

    PYTHONPATH=. python bench/turn_latency.py [--type google-sde] [--json out.json]
    PYTHONPATH=. python bench/turn_latency.py --thinking [--baseline] [--hog]   # held-back answers, thinking pauses
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from prepai_cli.audio.decoding import load_speech, resample  # noqa: E402
from prepai_cli.audio.endpointing import EndpointConfig, Endpointer  # noqa: E402
from prepai_cli.audio.frames import SAMPLE_RATE, WINDOW  # noqa: E402
from prepai_cli.audio.metrics import summarize  # noqa: E402
from prepai_cli.audio.tts import PiperSynthesizer, default_voice_paths  # noqa: E402
from prepai_cli.audio.vad import SileroVad  # noqa: E402

# 10 answers, 5-20 s each when spoken; "piper" or an espeak-ng voice.
ANSWERS: list[tuple[str, str]] = [
    ("piper", "I would use a hash map from each value to its index. For every number I check whether the "
              "complement is already in the map, which gives linear time and linear space."),
    ("en-us", "First I would clarify the requirements and the expected scale. Then I would sketch the simplest "
              "design that works and discuss the trade offs."),
    # Numbers in digits, as Whisper writes them: WER should count misheard words, not "900" vs "nine hundred".
    ("piper", "In my last project our checkout service was too slow. I profiled the database queries, added an "
              "index and a small cache, and the p99 latency dropped from 900 to 200 milliseconds."),
    ("en-gb", "I would sort the intervals by their start time and then merge each one into the previous "
              "interval whenever they overlap."),
    ("piper", "Honestly I am not sure about the exact complexity here, but I think a heap of size k keeps it "
              "at n log k, which is better than sorting everything."),
    ("en-us+m3", "We can keep two pointers, one at each end of the array, and move the shorter side inward, "
                 "because the water level is limited by the lower wall."),
    ("piper", "When a teammate disagreed with my design, I set up a meeting, listened to their concerns, and we "
              "ran a small benchmark together. Their approach was cheaper, so we chose it and shipped on time."),
    ("en-us+f2", "A stack works well for this. Push every opening bracket, and when a closing bracket arrives, "
                 "pop and check that the two match."),
    ("piper", "To test it, I would start with the empty input, a single element, duplicates and a very large "
              "input, and I would compare the result against a brute force version."),
    ("en-gb-scotland", "I would partition the data by user identifier so the load spreads evenly, and "
                       "replicate each partition across two zones for reliability."),
]
# Answers about a known question, for WER with the prompt the interview would use (the interview above asks
# whatever the brain picks, so its answers are off-topic and its WER is pessimistic).
MATCHED: list[tuple[str, str]] = [
    ("gsde-lru-cache", "I would combine a hash map with a doubly linked list. The map points to list nodes, and on "
                       "every read I move the node to the front, so eviction removes the tail in constant time."),
    ("gsde-running-median", "I would keep two heaps, a max heap for the lower half and a min heap for the upper "
                            "half, and rebalance them so the median is always at the top of one heap."),
    ("gsde-kth-largest", "One approach is to sort the array, which takes n log n. A better one keeps a min heap of "
                         "size k, which is n log k, and quickselect gives linear time on average."),
    ("gsde-hit-counter", "On a single machine I would keep a circular buffer of three hundred buckets, one per "
                         "second, and sum them. To scale out, I would shard the counters and aggregate them."),
    ("gsde-unique-id-generator", "I would use a snowflake style identifier with a timestamp, a data centre number, "
                                 "a machine number and a sequence, so every node generates identifiers without "
                                 "coordination."),
    ("gsde-word-ladder", "This is a shortest path problem, so I would run a breadth first search from the start "
                         "word, generating neighbours by changing one letter and checking the dictionary."),
]
MATCHED_VOICES = ("piper", "en-us", "en-gb-scotland", "en-us+m3")
GAP_S = 3.0
# Pauses inside answers, to check the endpointing silence does not cut candidates off while they think.
THINKING_PAUSES_S = (0.4, 0.5, 0.6)


def _speak(piper: PiperSynthesizer, voice: str, text: str, path: Path) -> np.ndarray:
    if voice == "piper":
        clip = resample(piper.synthesize(text).astype(np.float32) / 32768.0, piper.sample_rate, SAMPLE_RATE)
    else:
        subprocess.run(["espeak-ng", "-v", voice, "-s", "165", "-w", str(path), text], check=True)
        clip = load_speech(path)
    loud = np.flatnonzero(np.abs(clip) > 0.01)
    # The synthesizers' own lead-in and tail silence would add to the pauses we control.
    return clip[max(0, loud[0] - 800):loud[-1] + 800]


def synthesize(workdir: Path) -> tuple[list[np.ndarray], list[tuple[np.ndarray, np.ndarray]], PiperSynthesizer]:
    piper = PiperSynthesizer.load(*default_voice_paths())
    clips: list[np.ndarray] = []
    halves: list[tuple[np.ndarray, np.ndarray]] = []
    for i, (voice, text) in enumerate(ANSWERS):
        clips.append(_speak(piper, voice, text, workdir / f"espeak-{i}.wav"))
        words = text.split()
        middle = len(words) // 2
        halves.append((_speak(piper, voice, " ".join(words[:middle]), workdir / f"espeak-{i}a.wav"),
                       _speak(piper, voice, " ".join(words[middle:]), workdir / f"espeak-{i}b.wav")))
    return clips, halves, piper


def silence(seconds: float) -> np.ndarray:
    return (np.random.default_rng(0).standard_normal(int(seconds * SAMPLE_RATE)) * 1e-4).astype(np.float32)


def run_interview(wav: Path, interview_type: str, home: Path, piper: PiperSynthesizer,
                  silence_ms: int, realtime: bool) -> dict[str, Any]:
    from rich.console import Console

    from prepai_cli.agent.factory import build_brain
    from prepai_cli.audio.duplex import Duplex, DuplexConfig
    from prepai_cli.audio.playback import Player
    from prepai_cli.audio.sinks import NullSink
    from prepai_cli.audio.sources import FileSource
    from prepai_cli.audio.speech_out import SpeechOutput
    from prepai_cli.audio.stt import WhisperRecognizer, resolve_model_dir
    from prepai_cli.bank import load_bank
    from prepai_cli.config import Settings
    from prepai_cli.interview.console import ConsoleOutput
    from prepai_cli.interview.runner import InterviewRunner
    from prepai_cli.interview.voice import VoiceInput, VoiceOutput
    from prepai_cli.store import SessionStore

    console = Console(file=open(os.devnull, "w"), highlight=False)
    store = SessionStore(home / "sessions.db", home / "sessions")
    bank = load_bank()
    settings = Settings()
    session = store.create_session(interview_type, "offline", "bench", {"questions": 8, "minutes": 60})
    recognizer = WhisperRecognizer(resolve_model_dir(settings.speech.stt_model, home / "models"),
                                   beam_size=settings.speech.beam_size)
    source = FileSource(load_speech(wav), realtime=realtime, polite=True)
    speech = SpeechOutput(piper, Player(NullSink(piper.sample_rate, realtime=realtime)))
    config = DuplexConfig(endpoint=EndpointConfig(silence_ms=silence_ms), pace_silence=not realtime,
                          final_beam_size=settings.speech.beam_size)
    duplex = Duplex(source, recognizer, speech, config)
    runner = InterviewRunner(store, build_brain(settings, bank), VoiceOutput(duplex, ConsoleOutput(console)),
                             VoiceInput(duplex, console, store, session.id), bank=bank)
    try:
        runner.run(session)
    finally:
        duplex.close()
        speech.player.close()
    turns = [t for t in store.turns(session.id) if t.role == "candidate"]
    stats = duplex.transcriber.stats
    store.close()
    return {"turns": turns, "final_decode_s": list(stats.finals)}


# Held back: never used to tune the endpointer. Each answer has one thinking pause of 1-2 s where a candidate
# would stop to think (after a filler, a conjunction, a preposition, mid-clause), then the rest of the answer.
# Mostly the Piper voice (natural prosody, what the end-of-turn model was trained on); some espeak-ng.
THINKING: list[tuple[str, str, float, str]] = [
    ("piper", "To find the duplicates I would, um,", 1.5, "sort the array and compare each pair of neighbours."),
    ("piper", "The main cost here is", 1.2, "the network round trip, not the database query itself."),
    ("piper", "I would shard the table by", 1.8, "customer identifier, so that one customer never spans two shards."),
    ("piper", "For the cache I would pick, uh,", 1.0, "least recently used eviction with a time to live of an hour."),
    ("piper", "We measured the latency and", 2.0, "the ninety ninth percentile dropped to two hundred milliseconds."),
    ("piper", "My first idea is a brute force", 1.4, "check of every pair, which is quadratic, and then I would improve it."),
    ("piper", "When the queue backs up, the consumers", 1.6, "scale out, and failed messages go to a dead letter queue."),
    ("piper", "So the tricky part is, hmm,", 1.9, "keeping the two replicas consistent when the network splits."),
    ("piper", "I told my manager that", 1.1, "we would miss the date, and I proposed cutting the reporting feature."),
    ("piper", "The heap keeps the k largest values, so", 1.7, "each insertion costs log k and the total is n log k."),
    ("piper", "For authentication I would use", 1.3, "short lived tokens signed by the identity service."),
    ("piper", "If the write fails halfway, we", 2.0, "retry with the same idempotency key, so the customer is charged once."),
    ("piper", "I would start by asking about", 1.5, "the read to write ratio and how fresh the data has to be."),
    ("piper", "Binary search works here because", 1.2, "the array is sorted, which gives logarithmic time."),
    ("en-us", "I would put a load balancer in front of", 1.4, "three application servers in different zones."),
    ("en-gb", "The simplest fix is to", 1.8, "add an index on the user identifier column."),
    ("en-us+m3", "To test it I would, um,", 1.0, "start with an empty list and a single element."),
    ("en-us", "The trade off is between", 1.6, "consistency and availability when a partition happens."),
    ("en-gb-scotland", "After the outage we", 1.3, "wrote a post mortem and added an alert on the error rate."),
    ("en-us+f2", "I would keep a counter per", 1.9, "second in a circular buffer and sum the last five minutes."),
]
# What each latency part measures (printed with the numbers).
BREAKDOWN = {
    "final_decode_start_ms": "end of speech -> the final transcript's decode starts (VAD silence + queue)",
    "final_decode_ms": "decode time of the final transcript",
    "final_ready_ms": "end of speech -> final transcript in",
    "turn_model_ready_ms": "end of speech -> end-of-turn model's verdict in",
    "endpoint_wait_ms": "end of speech -> endpoint (turn over)",
    "stt_final_ms": "endpoint -> final transcript (0 when the pause's transcript is reused)",
    "brain_first_sentence_ms": "answer returned -> brain's first sentence queued",
    "tts_first_audio_ms": "first sentence queued -> its audio starts",
    "response_latency_ms": "end of speech -> first interviewer audio",
    "substantive_said_ms": "end of speech -> the substantive sentence queued for speech",
    "substantive_latency_ms": "end of speech -> the substantive sentence's audio starts (first sentence that is "
                              "not a stock phrase such as 'Okay.')",
    "after_acknowledgement_ms": "end of speech -> first audio past the acknowledgement segment (it plays after the "
                                "acknowledgement, so it includes that sentence's duration)",
}
# Written on 2026-12-01 before any tuning on THINKING's dev half, never looked at while tuning: the report on
# endpointing changes is on these (`--set new`).
THINKING_NEW: list[tuple[str, str, float, str]] = [
    ("piper", "The first thing I would check is", 1.6, "whether the slow requests all hit the same partition."),
    ("piper", "To keep the order of events we", 1.2, "route every account to one partition by its identifier."),
    ("piper", "I would store the sessions in", 1.9, "a key value store with a short expiry."),
    ("piper", "Um, the worst case is when", 1.4, "every element lands in the same bucket."),
    ("piper", "My manager asked me to", 1.7, "take over the migration two weeks before the deadline."),
    ("piper", "A trie helps here, because", 1.1, "all the words with one prefix share a path."),
    ("piper", "Then the service reads the message,", 1.5, "writes the result, and only then acknowledges it."),
    ("piper", "For the leaderboard I would use", 2.0, "a sorted set keyed by the score."),
    ("piper", "So what I learned from that is", 1.3, "to agree on the interface before writing the code."),
    ("piper", "The recursion goes down to", 1.8, "the leaves and returns the height on the way up."),
    ("piper", "We could cache the results, but", 1.2, "then we need a way to invalidate them when prices change."),
    ("piper", "Uh, I think the answer is", 1.6, "a breadth first search, since every edge has the same weight."),
    ("piper", "If a node fails, the", 1.0, "load balancer stops sending it traffic after two failed checks."),
    ("piper", "The tricky part of the design is the", 1.9, "fan out to followers with millions of users."),
    ("en-us", "I would write the events to", 1.5, "an append only log and build the views from it."),
    ("en-gb", "The database becomes the bottleneck when", 1.3, "every request needs a write."),
    ("en-us+m3", "In that project I was responsible for", 1.7, "the billing service and its on call rota."),
    ("en-us", "Hmm, the simplest way is to", 1.1, "sort both strings and compare them."),
    ("en-gb-scotland", "We rolled back, and then we", 1.8, "added a canary stage to the deployment."),
    ("en-us+f2", "To make it faster I would add", 1.4, "an index on the two columns the query filters by."),
]
THINKING_SETS = {"all": THINKING, "dev": THINKING[:10], "held": THINKING[10:], "new": THINKING_NEW}
THINK_GAP_S = 3.0  # longer than the longest end-of-turn wait, so answers never merge


def thinking_script(piper: PiperSynthesizer, workdir: Path, count: int,
                    answers: list[tuple[str, str, float, str]] = THINKING,
                    ) -> tuple[np.ndarray, list[tuple[float, float]], list[str]]:
    """The held-back answers as one file, the thinking pauses' (start, end) in file seconds, and the scripts."""
    parts, pauses, scripts = [silence(1.0)], [], []
    position = 1.0
    for i, (voice, first, pause, second) in enumerate(answers[:count]):
        a = _speak(piper, voice, first, workdir / f"think-{i}a.wav")
        b = _speak(piper, voice, second, workdir / f"think-{i}b.wav")
        position += len(a) / SAMPLE_RATE
        pauses.append((position, position + pause))
        position += pause + (len(b) / SAMPLE_RATE) + THINK_GAP_S
        parts += [a, silence(pause), b, silence(THINK_GAP_S)]
        scripts.append(f"{first} {second}")
    return np.concatenate(parts), pauses, scripts


def run_thinking(wav: Path, interview_type: str, home: Path, piper: PiperSynthesizer, pauses: list[tuple[float, float]],
                 baseline: bool, verbose: bool = False,
                 answers: list[tuple[str, str, float, str]] = THINKING) -> dict[str, Any]:
    """The held-back answers through the real runner and offline brain, in real time. `baseline`: the pipeline
    as it was before the end-of-turn model and the reply made ahead (fixed 0.6 s silence plus text grace)."""
    from rich.console import Console

    from prepai_cli.agent.factory import build_brain
    from prepai_cli.audio.duplex import Duplex, DuplexConfig
    from prepai_cli.audio.playback import Player
    from prepai_cli.audio.sinks import NullSink
    from prepai_cli.audio.sources import FileSource
    from prepai_cli.audio.speech_out import SpeechOutput
    from prepai_cli.audio.stt import WhisperRecognizer, resolve_model_dir
    from prepai_cli.bank import load_bank
    from prepai_cli.config import Settings
    from prepai_cli.interview.console import ConsoleOutput
    from prepai_cli.interview.runner import InterviewRunner
    from prepai_cli.interview.voice import VoiceInput, VoiceOutput
    from prepai_cli.store import SessionStore

    class _NoSpeculation(VoiceInput):
        @property
        def speculation(self) -> None:
            return None

        @speculation.setter
        def speculation(self, value: Any) -> None:
            pass

    console = Console(file=open(os.devnull, "w"), highlight=False)
    store = SessionStore(home / "sessions.db", home / "sessions")
    bank = load_bank()
    settings = Settings()
    session = store.create_session(interview_type, "offline", "bench", {"questions": 20, "minutes": 120})
    recognizer = WhisperRecognizer(resolve_model_dir(settings.speech.stt_model, home / "models"),
                                   beam_size=settings.speech.beam_size)
    source = FileSource(load_speech(wav), realtime=True, polite=True)
    endpoints: list[float] = []
    set_floor = source.set_floor

    def recording_set_floor(candidate_may_speak: bool) -> None:
        if not candidate_may_speak and source._may_speak.is_set():
            endpoints.append(source.position_s)
        set_floor(candidate_may_speak)

    source.set_floor = recording_set_floor  # type: ignore[method-assign]
    speech = SpeechOutput(piper, Player(NullSink(piper.sample_rate, realtime=True)))
    config = DuplexConfig(final_beam_size=settings.speech.beam_size, turn_model=not baseline)
    duplex = Duplex(source, recognizer, speech, config)
    candidate_class = _NoSpeculation if baseline else VoiceInput
    runner = InterviewRunner(store, build_brain(settings, bank), VoiceOutput(duplex, ConsoleOutput(console)),
                             candidate_class(duplex, console, store, session.id), bank=bank)
    loads = [os.getloadavg()[0]]
    started = time.perf_counter()
    try:
        runner.run(session)
    finally:
        duplex.close()
        speech.player.close()
    loads.append(os.getloadavg()[0])
    turns = [t for t in store.turns(session.id) if t.role == "candidate"]
    store.close()
    cut_at = [i for i, (p0, p1) in enumerate(pauses) if any(p0 + 0.15 < e <= p1 + 0.1 for e in endpoints)]
    cut = len(cut_at)
    # In the order they happen after the end of speech (all from it, except the decode time itself and the
    # brain / TTS parts, which run from the endpoint).
    keys = ("final_decode_start_ms", "final_decode_ms", "final_ready_ms", "turn_model_ready_ms", "endpoint_wait_ms",
            "stt_final_ms", "brain_first_sentence_ms", "tts_first_audio_ms", "response_latency_ms",
            "substantive_said_ms", "substantive_latency_ms", "after_acknowledgement_ms")
    latencies: dict[str, list[float]] = {k: [] for k in keys}
    prepared = [0, 0]
    for turn in turns:
        latency = (turn.metrics or {}).get("latency") or {}
        for key in keys:
            if latency.get(key) is not None:
                latencies[key].append(float(latency[key]))
        if latency.get("substantive_prepared") is not None:
            prepared[0] += bool(latency["substantive_prepared"])
            prepared[1] += 1
    verdicts = duplex.turn_verdicts.latencies_s if duplex.turn_verdicts is not None else []
    return {
        "turns": [{"said": (t.text[:40] + " … " + t.text[-40:]) if len(t.text) > 90 else t.text,
                   **{k: ((t.metrics or {}).get("latency") or {}).get(k)
                      for k in ("turn_model_complete_p", "final_ready_ms", "endpoint_wait_ms", "response_latency_ms",
                                "substantive_latency_ms")}} for t in turns] if verbose else None,
        "mode": "baseline (0.6 s silence, no reply ahead)" if baseline else "end-of-turn model + reply made ahead",
        "answers": len(pauses), "answers_reached": sum(p1 < (endpoints[-1] if endpoints else 0) for _, p1 in pauses),
        "candidate_turns": len(turns), "cut_at_thinking_pause": cut,
        "cut_after": [f"{answers[i][0]}: {answers[i][1]!r} ({answers[i][2]} s)" for i in cut_at],
        "latency_ms": {k: summarize(v) for k, v in latencies.items()},
        "replies_prepared_sentences_played": speech.prepared_hits,
        "substantive_sentence_synthesized_ahead": f"{prepared[0]}/{prepared[1]}",
        "breakdown": BREAKDOWN,
        "end_of_turn_model_ms": summarize([round(v * 1000, 1) for v in verdicts]),
        "wall_s": round(time.perf_counter() - started, 1),
        "load_average_1min_start_end": [round(x, 2) for x in loads],
    }


def thinking_main(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="prepai-think-"))
    hog = None
    try:
        piper = PiperSynthesizer.load(*default_voice_paths())
        answers = THINKING_SETS[args.set]
        audio, pauses, _ = thinking_script(piper, workdir, args.answers, answers)
        wav = workdir / "thinking.wav"
        soundfile.write(str(wav), audio, SAMPLE_RATE, subtype="PCM_16")
        if args.hog:
            if shutil.which("stress-ng") is None:
                sys.exit("--hog needs stress-ng: apt-get install stress-ng")
            hog = subprocess.Popen(["stress-ng", "--cpu", "1", "--quiet"], stdout=subprocess.DEVNULL)
        report = run_thinking(wav, args.type, workdir / "home", piper, pauses, args.baseline, args.verbose, answers)
        report["answer_set"] = args.set
        report["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        report["cpu_hog"] = "stress-ng --cpu 1" if hog else None
        report["cpu_count"] = os.cpu_count()
        print(json.dumps(report, indent=2, default=str))
        if args.json:
            args.json.write_text(json.dumps(report, indent=2, default=str))
    finally:
        if hog is not None:
            hog.terminate()
            hog.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def first_question_probe(wav: Path, interview_type: str, home: Path) -> float:
    """Seconds from process start to the first interviewer audio reaching the sink, via the real CLI."""
    code = (
        "import os, sys, time, psutil\n"
        "t0 = psutil.Process().create_time()\n"
        "import prepai_cli.audio.playback as playback\n"
        "original = playback.Player._play\n"
        "def first(self, clip):\n"
        "    print(f'FIRST_AUDIO {time.time() - t0:.3f}', flush=True)\n"
        "    os._exit(0)\n"
        "playback.Player._play = first\n"
        "from prepai_cli.cli import main\n"
        f"main(['interview', '--type', {interview_type!r}, '--input', {str(wav)!r}, '--mute', '--no-tui'])\n"
    )
    env = {**os.environ, "PREPAI_HOME": str(home), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    found = re.search(r"FIRST_AUDIO (\d+\.\d+)", done.stdout)
    if found:
        return float(found.group(1))
    raise RuntimeError(f"probe failed: {done.stdout[-500:]} {done.stderr[-1500:]}")


def _turn_ends(vad: SileroVad, audio: np.ndarray, silence_ms: int) -> int:
    vad.reset()
    endpointer = Endpointer(EndpointConfig(silence_ms=silence_ms, thinking_grace_ms=0))
    ends = 0
    for start in range(0, len(audio) - WINDOW + 1, WINDOW):
        events = endpointer.step(start / SAMPLE_RATE, WINDOW / SAMPLE_RATE, vad(audio[start:start + WINDOW]))
        ends += sum(e.kind == "end" for e in events)
    return ends


def silence_sweep(clips: list[np.ndarray], halves: list[tuple[np.ndarray, np.ndarray]],
                  thresholds: list[int]) -> dict[str, dict[int, int]]:
    """How many answers each endpointing silence would cut in two: as synthesized (the voices' own pauses between
    sentences and clauses), and with a thinking pause inserted between two separately spoken halves."""
    vad = SileroVad()
    probes: dict[str, list[np.ndarray]] = {
        "natural_pauses": [np.concatenate([silence(0.3), c, silence(1.5)]) for c in clips]}
    for pause in THINKING_PAUSES_S:
        probes[f"thinking_pause_{int(pause * 1000)}ms"] = [
            np.concatenate([silence(0.3), first, silence(pause), second, silence(1.5)]) for first, second in halves]
    return {name: {ms: sum(_turn_ends(vad, audio, ms) > 1 for audio in audios) for ms in thresholds}
            for name, audios in probes.items()}


def matched_wer(piper: PiperSynthesizer, workdir: Path) -> dict[str, float | None]:
    from prepai_cli.audio.stt import WhisperRecognizer, resolve_model_dir
    from prepai_cli.bank import load_bank
    from prepai_cli.config import Settings
    from prepai_cli.interview.io import AnswerContext
    from prepai_cli.interview.voice import build_prompt

    settings = Settings()
    recognizer = WhisperRecognizer(resolve_model_dir(settings.speech.stt_model, workdir / "models"),
                                   beam_size=settings.speech.beam_size)
    bank = load_bank()
    results: dict[str, list[tuple[str, str]]] = {"piper": [], "espeak": []}
    for voice in MATCHED_VOICES:
        for i, (question_id, text) in enumerate(MATCHED):
            question = bank.question(question_id)
            assert question is not None, question_id
            context = AnswerContext(prompt_text=question.text, question_id=question_id, segment_kind="question",
                                    vocabulary=tuple(kp.text for kp in question.key_points))
            clip = _speak(piper, voice, text, workdir / f"matched-{voice}-{i}.wav")
            heard = recognizer.transcribe(clip, prompt=build_prompt(context), word_timestamps=True).text
            results["piper" if voice == "piper" else "espeak"].append((text, heard))
    return {name: wer_of(pairs) for name, pairs in results.items()}


def wer_of(pairs: list[tuple[str, str]]) -> float | None:
    import jiwer

    if not pairs:
        return None
    clean = jiwer.Compose([jiwer.ToLowerCase(), jiwer.RemovePunctuation(), jiwer.RemoveMultipleSpaces(),
                           jiwer.Strip(), jiwer.ReduceToListOfListOfWords()])
    refs, hyps = zip(*pairs)
    return float(jiwer.wer(list(refs), list(hyps), reference_transform=clean, hypothesis_transform=clean))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--type", default="google-sde")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    parser.add_argument("--realtime", action="store_true",
                        help="speak the answers and the interviewer in real time (slow; realistic partial timing)")
    parser.add_argument("--silence-ms", type=int, default=EndpointConfig().silence_ms,
                        help="endpointing silence for the interviews (default: the pipeline's)")
    parser.add_argument("--thinking", action="store_true",
                        help="only the held-back answers with 1-2 s thinking pauses, in real time (~8 minutes)")
    parser.add_argument("--baseline", action="store_true",
                        help="with --thinking: the fixed-silence endpointer and no reply made ahead, for comparison")
    parser.add_argument("--hog", action="store_true", help="with --thinking: run stress-ng --cpu 1 beside it")
    parser.add_argument("--answers", type=int, default=100, help="with --thinking: use the first N of the set")
    parser.add_argument("--set", choices=sorted(THINKING_SETS), default="all",
                        help="with --thinking: all 20 held-back answers (dev: the first 10, tuned on; held: the "
                             "other 10), or new: 20 answers written after tuning began")
    parser.add_argument("--verbose", action="store_true", help="with --thinking: list every turn")
    args = parser.parse_args()
    if shutil.which("espeak-ng") is None:
        sys.exit("espeak-ng is required: apt-get install espeak-ng")
    if args.thinking:
        thinking_main(args)
        return
    workdir = Path(tempfile.mkdtemp(prefix="prepai-bench-"))
    try:
        clips, halves, piper = synthesize(workdir)
        scripts, voices = [t for _, t in ANSWERS], [v for v, _ in ANSWERS]
        parts = [silence(1.0)]
        for clip in clips:
            parts += [clip, silence(GAP_S)]
        wav = workdir / "answers.wav"
        soundfile.write(str(wav), np.concatenate(parts), SAMPLE_RATE, subtype="PCM_16")
        durations = [len(c) / SAMPLE_RATE for c in clips]

        started = time.perf_counter()
        run = run_interview(wav, args.type, workdir / "home", piper, args.silence_ms, args.realtime)
        # Read now: what follows loads a second recognizer for the on-topic WER, which the CLI never does.
        peak_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        wall = time.perf_counter() - started
        turns = run["turns"]
        latency_keys = ("response_latency_ms", "endpoint_wait_ms", "stt_final_ms", "brain_first_sentence_ms",
                        "tts_first_audio_ms")
        latencies: dict[str, list[float]] = {k: [] for k in latency_keys}
        speculative = 0
        for turn in turns:
            latency = (turn.metrics or {}).get("latency") or {}
            for key in latency_keys:
                if latency.get(key) is not None:
                    latencies[key].append(float(latency[key]))
            speculative += bool(latency.get("speculative_final"))
        pairs = list(zip(scripts, [t.text for t in turns]))
        piper_pairs = [p for p, v in zip(pairs, voices) if v == "piper"]
        espeak_pairs = [p for p, v in zip(pairs, voices) if v != "piper"]
        first_partial = [float(t.metrics["time_to_first_partial_s"]) for t in turns
                         if t.metrics and t.metrics.get("time_to_first_partial_s") is not None]
        decode = run["final_decode_s"]
        first_question = [first_question_probe(wav, args.type, workdir / f"probe-{i}") for i in range(2)]
        sweep = silence_sweep(clips, halves, [300, 400, 450, 500, 550, 600, 700])
        on_topic = matched_wer(piper, workdir)
        report = {
            "interview_type": args.type,
            "silence_ms": args.silence_ms,
            "pacing": "real time" if args.realtime else "fast speech, real-time endpoint silence",
            "answers": len(clips),
            "answer_seconds": {"min": round(min(durations), 1), "max": round(max(durations), 1)},
            "candidate_turns_stored": len(turns),
            "latency_ms": {k: summarize(v) for k, v in latencies.items()},
            "speculative_final_hits": f"{speculative}/{len(turns)}",
            "time_to_first_partial_s": summarize(first_partial),
            "stt_final_real_time_factor": round(sum(decode) / sum(durations[:len(decode)]), 3) if decode else None,
            "wer_in_interview_off_topic": {"all": wer_of(pairs), "piper": wer_of(piper_pairs),
                                           "espeak": wer_of(espeak_pairs)},
            "wer_on_topic_with_question_prompt": on_topic,
            "peak_rss_mb_after_interview": peak_rss_mb,
            "time_to_first_question_s": first_question,
            "silence_sweep": sweep,
            "interview_wall_s": round(wall, 1),
            "cpu_count": os.cpu_count(),
            "load_average": os.getloadavg(),
        }
        print(json.dumps(report, indent=2, default=str))
        for (script, text), voice in zip(pairs, voices):
            if text.strip().lower() != script.strip().lower():
                print(f"[{voice}] heard: {text}", file=sys.stderr)
        if args.json:
            args.json.write_text(json.dumps(report, indent=2, default=str))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
