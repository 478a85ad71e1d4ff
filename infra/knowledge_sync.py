"""Mirrors the exported knowledge-base documents into the KB bucket, touching only what changed.

A manifest (key → SHA-256) outside the ingested prefix records what was uploaded, so an unchanged export costs one
GET and one LIST instead of a HEAD per document, and tells ingestion whether it has anything to do.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from infra.aws_errors import aws_call
from infra.models import DocsSync

MANIFEST_KEY = "manifest/prepai-knowledge.json"


def local_manifest(root: Path, prefix: str) -> dict[str, Path]:
    return {prefix + p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _remote_manifest(s3: Any, bucket: str) -> dict[str, str]:
    try:
        body = s3.get_object(Bucket=bucket, Key=MANIFEST_KEY)["Body"].read()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
            return {}
        raise
    try:
        data = json.loads(body)
    except ValueError:
        return {}  # a damaged manifest only costs a full re-upload
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _remote_keys(s3: Any, bucket: str, prefix: str) -> set[str]:
    keys: set[str] = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.update(obj["Key"] for obj in page.get("Contents", []))
    return keys


def sync_documents(s3: Any, bucket: str, root: Path, prefix: str) -> DocsSync:
    local = local_manifest(root, prefix)
    hashes = {key: _sha(path) for key, path in local.items()}
    with aws_call(f"reading the knowledge manifest in {bucket}"):
        previous = _remote_manifest(s3, bucket)
        present = _remote_keys(s3, bucket, prefix)
    result = DocsSync()
    with aws_call(f"uploading knowledge documents to {bucket}"):
        for key, path in local.items():
            if previous.get(key) == hashes[key] and key in present:
                result.unchanged += 1
                continue
            content_type = "text/markdown" if key.endswith(".md") else "application/json"
            s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), ContentType=content_type)
            result.uploaded += 1
        stale = sorted(present - set(local))
        for start in range(0, len(stale), 1000):
            batch = stale[start:start + 1000]
            s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True})
            result.deleted += len(batch)
        if result.changed or previous != hashes:
            s3.put_object(Bucket=bucket, Key=MANIFEST_KEY, Body=json.dumps(hashes, sort_keys=True).encode(),
                          ContentType="application/json")
    return result
