"""Opt-in speech models: the manifest of what can be pulled, and downloading with checksum verification."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ValidationError

from prepai_cli.errors import PrepAIError

DEFAULT_BASE_URL = "https://huggingface.co"
_CHUNK = 1 << 20


class ModelEntry(BaseModel):
    description: str
    repo: str
    revision: str = "main"
    approx_mb: int
    files: dict[str, str | None]  # file name → sha256 (None: recorded at first verified download)


class Manifest(BaseModel):
    schema_: int = 1
    models: dict[str, ModelEntry]

    model_config = {"populate_by_name": True}


def manifest_path() -> Path:
    """models/manifest.json in a source checkout; an installed wheel carries it inside the package."""
    packaged = Path(__file__).resolve().parent / "models_manifest.json"
    return packaged if packaged.exists() else Path(__file__).resolve().parents[2] / "models" / "manifest.json"


def load_manifest(path: Path | None = None) -> Manifest:
    path = path or manifest_path()
    try:
        return Manifest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise PrepAIError(f"the model manifest is missing ({path}); reinstall prepai") from None
    except (json.JSONDecodeError, ValidationError) as exc:
        raise PrepAIError(f"the model manifest {path} is invalid: {str(exc).splitlines()[0]}") from None


def base_url() -> str:
    # A mirror (or a local server in tests) can stand in for the Hugging Face hub.
    return os.environ.get("PREPAI_MODELS_URL", DEFAULT_BASE_URL).rstrip("/")


def is_installed(name: str, entry: ModelEntry, models_dir: Path) -> bool:
    folder = models_dir / name
    return all((folder / file).is_file() for file in entry.files)


def recorded_checksums(folder: Path) -> dict[str, str]:
    try:
        return dict(json.loads((folder / "checksums.json").read_text(encoding="utf-8")))
    except (FileNotFoundError, json.JSONDecodeError, ValueError):
        return {}


ProgressHook = Callable[[str, int, int | None], None]  # (file, bytes so far, total or None)


def pull(name: str, manifest: Manifest, models_dir: Path, progress: ProgressHook, url: str | None = None) -> Path:
    """Downloads every file of a model into models_dir/name; each file must match its known sha256."""
    entry = manifest.models.get(name)
    if entry is None:
        raise PrepAIError(f"unknown model {name!r}; available: {', '.join(manifest.models)}")
    folder = models_dir / name
    folder.mkdir(parents=True, exist_ok=True)
    known = recorded_checksums(folder)
    root = url or base_url()
    for file, pinned in entry.files.items():
        expected = pinned or known.get(file)
        source = f"{root}/{entry.repo}/resolve/{entry.revision}/{urllib.parse.quote(file)}"
        digest = _download(source, folder / file, lambda done, total: progress(file, done, total))
        if expected is not None and digest != expected:
            (folder / file).unlink(missing_ok=True)
            raise PrepAIError(
                f"checksum mismatch for {name}/{file}: expected {expected[:12]}…, got {digest[:12]}…; "
                "the download was corrupted or the file changed upstream"
            )
        known[file] = digest
        # Recorded after each file so an interrupted pull keeps what it verified (trust on first use).
        (folder / "checksums.json").write_text(json.dumps(known, indent=2, sort_keys=True), encoding="utf-8")
    return folder


def _download(url: str, target: Path, progress: Callable[[int, int | None], None]) -> str:
    host = urllib.parse.urlsplit(url).netloc
    partial = target.with_name(target.name + ".part")
    request = urllib.request.Request(url, headers={"User-Agent": "prepai-model-pull"})
    sha = hashlib.sha256()
    try:
        with urllib.request.urlopen(request, timeout=20) as response, partial.open("wb") as out:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            done = 0
            while True:
                chunk = response.read(_CHUNK)
                if not chunk:
                    break
                out.write(chunk)
                sha.update(chunk)
                done += len(chunk)
                progress(done, total)
    except urllib.error.HTTPError as exc:
        partial.unlink(missing_ok=True)
        raise PrepAIError(f"{host} answered {exc.code} {exc.reason} for {url}") from None
    except (urllib.error.URLError, socket.timeout, ConnectionError, TimeoutError) as exc:
        partial.unlink(missing_ok=True)
        reason = getattr(exc, "reason", exc)
        raise PrepAIError(f"cannot reach {host} ({reason}); check your internet connection or proxy") from None
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise PrepAIError(f"cannot write {target}: {exc.strerror or exc}") from None
    if total is not None and done != total:
        partial.unlink(missing_ok=True)
        raise PrepAIError(f"download of {url} stopped after {done} of {total} bytes; run the pull again")
    partial.replace(target)
    return sha.hexdigest()
