"""Word error rate of the bundled Whisper tiny.en on spoken technical answers, by how the decoder is biased.

Technical answers to real bank questions, read by espeak-ng voices (the hard case) and the Piper voice (the
realistic one), transcribed the way the interview does it (beam 5, temperature 0 — no fallback sampling, no
conditioning on earlier text) under several prompts:

- none: no prompt;
- key_points: the question's key points, the question, the primer (the prompt before this change);
- terms+key_points: the interview type's terms first, then as key_points (interview/voice.py's build_prompt);
- hotwords: only the type's terms and the primer, as a word list. faster-whisper's `hotwords=` option puts exactly
  such a list in the same previous-text slot of the prompt (`<|startofprev|> hotwords <|startoftranscript|>`), so
  this is that option, measured through our own decoder call;
- capped_N: terms+key_points cut to its last N characters (the type's terms give way first): a shorter prompt is
  a cheaper decode.

`--beam 1` measures greedy decoding (what a cheaper final transcript would cost in accuracy); `--conditions`
picks a subset.

WER is computed after Whisper's English normalizer (PyPI `whisper-normalizer`) on both sides, so "900" vs "nine
hundred" or "it's" vs "it is" are not errors.

    PYTHONPATH=. python bench/stt_wer.py [--beam N] [--conditions a,b] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from prepai_cli.audio.decoding import load_speech, resample  # noqa: E402
from prepai_cli.audio.frames import SAMPLE_RATE  # noqa: E402
from prepai_cli.audio.stt import WhisperRecognizer, resolve_model_dir  # noqa: E402
from prepai_cli.audio.tts import PiperSynthesizer, default_voice_paths  # noqa: E402
from prepai_cli.audio.vocabulary import interview_terms  # noqa: E402
from prepai_cli.bank import load_bank  # noqa: E402
from prepai_cli.interview.io import AnswerContext  # noqa: E402
from prepai_cli.interview.voice import _DISFLUENT_PRIMER, build_prompt  # noqa: E402

# (interview type, bank question, answer): technical words tiny.en tends to mishear, as candidates say them.
ANSWERS: list[tuple[str, str, str]] = [
    ("system-design", "sd-notification-service",
     "I would put every request on a Kafka topic, and each channel has its own consumers. Messages that keep "
     "failing go to a dead letter queue, so one bad provider does not block the rest."),
    ("system-design", "sd-rate-limiter",
     "I would keep a token bucket per client in Redis, with a small Lua script so the check and the decrement "
     "are atomic, and return HTTP 429 when the bucket is empty."),
    ("system-design", "sd-distributed-cache",
     "Keys are placed with consistent hashing on a ring, so adding a node only moves a small share of the keys. "
     "Each shard has two replicas, and eviction is least recently used."),
    ("system-design", "sd-payment-idempotency",
     "The client sends an idempotency key with every charge. We store the key and the result in PostgreSQL "
     "inside the same transaction, so a retry returns the first result instead of charging twice."),
    ("aws-solutions-architect", "awssa-three-tier-web-app",
     "I would run the web and application layers on EC2 instances in an Auto Scaling group behind an "
     "Application Load Balancer, across two Availability Zones, with the database on Aurora."),
    ("aws-solutions-architect", "awssa-messaging-choice",
     "The order service publishes to an SNS topic, and billing, shipping and analytics each subscribe with their "
     "own SQS queue, so every consumer can retry on its own pace."),
    ("aws-solutions-architect", "awssa-dynamodb-keys",
     "In DynamoDB I would use the device identifier as the partition key and the timestamp as the sort key, and "
     "set a time to live so old readings expire on their own."),
    ("aws-solutions-architect", "awssa-lambda-fargate-ec2",
     "For a spiky REST API I would start with Lambda behind API Gateway. If requests are steady and long running, "
     "containers on Fargate are cheaper, and Kubernetes is only worth it for a large platform team."),
    ("google-sde", "gsde-kth-largest",
     "A min heap of size k gives n log k time. Quickselect is linear on average, because each partition throws "
     "away about half of the array."),
    ("google-sde", "gsde-two-sum",
     "I would do a binary search over the sorted array for each complement, which is n log n, or use a hash map "
     "and get linear time."),
    ("google-sde", "gsde-dynamic-array-amortized",
     "Doubling the capacity makes each append constant time amortized, because the copies form a geometric "
     "series. The logarithmic number of resizes does not change that."),
    ("google-sde", "gsde-word-ladder",
     "It is a shortest path problem on an implicit graph, so breadth first search from the start word finds it. "
     "A bidirectional search from both ends explores far fewer words."),
]
ESPEAK_VOICES = ("en-us", "en-gb", "en-us+m3")
CONDITIONS = ("none", "key_points", "terms+key_points", "hotwords", "capped_800", "capped_500", "capped_300")


def speak(piper: PiperSynthesizer, voice: str, text: str, path: Path) -> np.ndarray:
    if voice == "piper":
        return resample(piper.synthesize(text).astype(np.float32) / 32768.0, piper.sample_rate, SAMPLE_RATE)
    subprocess.run(["espeak-ng", "-v", voice, "-s", "160", "-w", str(path), text], check=True)
    return load_speech(path)


def prompt_for(condition: str, type_slug: str, question_id: str) -> str:
    bank = load_bank()
    question = bank.question(question_id)
    assert question is not None, question_id
    terms = interview_terms(bank, type_slug)
    key_points = tuple(kp.text for kp in question.key_points)
    if condition == "none":
        return ""
    if condition == "key_points":
        return build_prompt(AnswerContext(question.text, question_id, "question", key_points))
    if condition == "terms+key_points":
        return build_prompt(AnswerContext(question.text, question_id, "question", key_points), terms)
    if condition.startswith("capped_"):
        # As terms+key_points, cut to this many characters from the front: the type's terms give way first.
        return build_prompt(AnswerContext(question.text, question_id, "question", key_points), terms,
                            max_chars=int(condition.split("_")[1]))
    return f"{', '.join(terms)}. {_DISFLUENT_PRIMER}"


def prompt_tokens(recognizer: WhisperRecognizer, condition: str) -> int:
    """Mean prompt length in tokens over the answers' questions (what the decoder has to read each time)."""
    counts = [len(recognizer._prompt_tokens(prompt_for(condition, t, q))) for t, q, _ in ANSWERS]
    return round(sum(counts) / len(counts))


def wer(pairs: list[tuple[str, str]]) -> float:
    import jiwer
    from whisper_normalizer.english import EnglishTextNormalizer

    normalize = EnglishTextNormalizer()
    refs = [normalize(r) for r, _ in pairs]
    hyps = [normalize(h) for _, h in pairs]
    return round(float(jiwer.wer(refs, hyps)), 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--beam", type=int, default=5)
    parser.add_argument("--conditions", default=",".join(CONDITIONS), help="comma-separated, from: "
                        + ", ".join(CONDITIONS))
    args = parser.parse_args()
    conditions = tuple(c for c in args.conditions.split(",") if c)
    unknown = [c for c in conditions if c not in CONDITIONS]
    if unknown:
        sys.exit(f"unknown condition(s): {', '.join(unknown)}")
    if shutil.which("espeak-ng") is None:
        sys.exit("espeak-ng is required: apt-get install espeak-ng")
    workdir = Path(tempfile.mkdtemp(prefix="prepai-wer-"))
    try:
        piper = PiperSynthesizer.load(*default_voice_paths())
        recognizer = WhisperRecognizer(resolve_model_dir(None, workdir / "models"), beam_size=args.beam)
        results: dict[str, dict[str, list[tuple[str, str]]]] = {c: {"piper": [], "espeak": []} for c in conditions}
        decode_s: dict[str, float] = {c: 0.0 for c in conditions}
        misheard: dict[str, list[str]] = {c: [] for c in conditions}
        for i, (type_slug, question_id, text) in enumerate(ANSWERS):
            for voice in ("piper", *ESPEAK_VOICES):
                clip = speak(piper, voice, text, workdir / f"{i}-{voice}.wav")
                for condition in conditions:
                    started = time.perf_counter()
                    heard = recognizer.transcribe(clip, prompt=prompt_for(condition, type_slug, question_id)).text
                    decode_s[condition] += time.perf_counter() - started
                    results[condition]["piper" if voice == "piper" else "espeak"].append((text, heard))
                    if voice == "en-us":
                        misheard[condition].append(heard)
            print(f"{i + 1}/{len(ANSWERS)} answers", file=sys.stderr, flush=True)
        report = {
            "answers": len(ANSWERS), "espeak_voices": list(ESPEAK_VOICES), "beam": args.beam,
            "wer_piper": {c: wer(results[c]["piper"]) for c in conditions},
            "wer_espeak": {c: wer(results[c]["espeak"]) for c in conditions},
            "decode_s_total": {c: round(v, 1) for c, v in decode_s.items()},
            "prompt_tokens": {c: prompt_tokens(recognizer, c) for c in conditions},
            "cpu_count": os.cpu_count(), "load_average": os.getloadavg(),
        }
        print(json.dumps(report, indent=2))
        for condition in [c for c in ("key_points", "terms+key_points") if c in conditions]:
            print(f"\n[{condition}] en-us heard:", file=sys.stderr)
            for heard in misheard[condition]:
                print(f"  {heard}", file=sys.stderr)
        if args.json:
            args.json.write_text(json.dumps(report, indent=2))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
