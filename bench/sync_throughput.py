"""Sync throughput for a 30-minute session: 15 spoken answers of 2 minutes each, pushed to and pulled from a local
S3 (moto server over HTTP).

    PYTHONPATH=. python bench/sync_throughput.py [--turns 15] [--minutes-per-turn 2]

Prints WAV vs FLAC size, FLAC encoding time, upload and pull time and MB/s. Audio is real espeak-ng speech tiled to
length (espeak-ng must be installed). Numbers measure this machine's CPU and loopback, not a real network: they
show what sync itself costs.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEXT = (
    "To design a URL shortener I would first agree on the scale: a hundred million new links a month and ten times "
    "as many reads. Reads dominate, so I would put a cache in front of a key value store, generate short codes from "
    "a counter encoded in base sixty two, and shard the counter ranges across writers so that no single node becomes "
    "a bottleneck. For analytics I would stream click events to a queue and aggregate them offline. "
)


def synthesize(folder: Path, seconds: int) -> Path:
    import numpy as np
    import soundfile as sf

    if shutil.which("espeak-ng") is None:
        sys.exit("espeak-ng is required for the benchmark audio")
    clip = folder / "clip.wav"
    subprocess.run(["espeak-ng", "-w", str(clip), TEXT * 2], check=True, capture_output=True)
    speech, rate = sf.read(clip, dtype="int16")
    answer = folder / "answer.wav"
    sf.write(answer, np.tile(speech, seconds * rate // len(speech) + 1)[: seconds * rate], rate, subtype="PCM_16")
    return answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=15)
    parser.add_argument("--minutes-per-turn", type=float, default=2.0)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="prepai-sync-bench-"))
    os.environ.update({
        "PREPAI_HOME": str(work / "home"), "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(work / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(work / "aws-credentials"), "PREPAI_SYNC__BUCKET": "prepai-bench",
        "PREPAI_CANDIDATE": "bench",
    })
    import boto3
    from moto.server import ThreadedMotoServer

    from prepai_cli.config import load_settings
    from prepai_cli.domain import NewTurn
    from prepai_cli.store import SessionStore
    from prepai_cli.sync.pull import Puller
    from prepai_cli.sync.push import Pusher
    from prepai_cli.sync.queue import queue_session
    from prepai_cli.sync.s3 import SyncTarget

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request would drown the results
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        os.environ["AWS_ENDPOINT_URL_S3"] = f"http://127.0.0.1:{server.get_host_and_port()[1]}"
        boto3.client("s3").create_bucket(Bucket="prepai-bench")
        answer = synthesize(work, int(args.minutes_per_turn * 60))

        store = SessionStore(work / "home" / "sessions.db", work / "home" / "sessions")
        session = store.create_session("system-design", "offline", "bench")
        folder = store.session_dir(session.id)
        folder.mkdir(parents=True)
        for i in range(args.turns):
            store.add_turn(session.id, NewTurn(role="interviewer", kind="question", text=f"Question {i + 1}?"))
            shutil.copyfile(answer, folder / f"turn-{i:03d}.wav")
            store.add_turn(session.id, NewTurn(role="candidate", kind="answer", text="...",
                                               audio_path=f"turn-{i:03d}.wav"))
        store.set_status(session.id, "ended")
        wav_bytes = sum(p.stat().st_size for p in folder.glob("*.wav"))

        target = SyncTarget.from_settings(load_settings())
        started = time.perf_counter()
        queued = queue_session(store, target.bucket, target.layout, session.id)
        encode_s = time.perf_counter() - started
        flac_bytes = sum(e.size for e in queued.manifest.objects if e.kind == "audio")

        started = time.perf_counter()
        summary = Pusher(store, target).run([session.id])
        upload_s = time.perf_counter() - started

        started = time.perf_counter()
        Pusher(store, target).run([session.id])
        resync_s = time.perf_counter() - started

        fresh = SessionStore(work / "fresh" / "sessions.db", work / "fresh" / "sessions")
        started = time.perf_counter()
        pulled = Puller(fresh, target).run()
        pull_s = time.perf_counter() - started
        store.close()
        fresh.close()
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)

    minutes = args.turns * args.minutes_per_turn
    print(f"session audio:   {minutes:.0f} min in {args.turns} turns")
    print(f"WAV size:        {wav_bytes / 1e6:.1f} MB")
    print(f"FLAC size:       {flac_bytes / 1e6:.1f} MB ({flac_bytes / wav_bytes:.0%} of WAV)")
    print(f"FLAC encode:     {encode_s:.2f} s ({wav_bytes / 1e6 / encode_s:.1f} MB/s of WAV)")
    print(f"upload:          {upload_s:.2f} s for {summary.uploaded} objects, "
          f"{summary.bytes_uploaded / 1e6 / upload_s:.1f} MB/s")
    print(f"re-sync (no-op): {resync_s:.2f} s")
    print(f"pull + verify + FLAC→WAV: {pull_s:.2f} s for {pulled.bytes_downloaded / 1e6:.1f} MB, "
          f"{pulled.bytes_downloaded / 1e6 / pull_s:.1f} MB/s")


if __name__ == "__main__":
    main()
