"""SHA-256 in the two spellings sync needs: hex for manifests and metadata, base64 for S3 checksum headers."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

_CHUNK = 1024 * 1024


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def hex_to_b64(hex_digest: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_digest)).decode("ascii")


def b64_to_hex(b64_digest: str) -> str | None:
    """None for a composite multipart checksum ("...-N"), which is not a digest of the whole object."""
    if "-" in b64_digest:
        return None
    try:
        return base64.b64decode(b64_digest, validate=True).hex()
    except ValueError:
        return None


def file_fingerprint(path: Path) -> str:
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"
