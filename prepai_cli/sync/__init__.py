"""S3 sync of sessions, audio, reports and CVs through a persistent outbox in the session store.

Kept import-free so prepai_cli.store can use the outbox models without an import cycle.
"""
