"""What `prepai sync --status` reports: sessions never queued, objects pending or failed (with why), what is done."""

from __future__ import annotations

from prepai_cli.store import SessionStore
from prepai_cli.sync.layout import Layout
from prepai_cli.sync.models import StatusReport
from prepai_cli.sync.queue import session_changed


def sync_status(store: SessionStore, bucket: str, layout: Layout) -> StatusReport:
    queued = store.outbox_session_ids(bucket)
    entries = store.outbox_entries(bucket)
    done = [e for e in entries if e.state == "done"]
    return StatusReport(
        bucket=bucket,
        unqueued_sessions=[s.id for s in store.list_sessions() if s.id not in queued],
        changed_sessions=[s.id for s in store.list_sessions()
                          if s.id in queued and session_changed(store, bucket, layout, s.id)],
        pending=[e for e in entries if e.state == "pending"],
        failed=[e for e in entries if e.state == "failed"],
        done_count=len(done),
        done_bytes=sum(e.size for e in done),
    )
