from __future__ import annotations

import json
from pathlib import Path

import pytest

from prepai_cli.agent.tools import kb
from prepai_cli.agent.tools.kb import KnowledgeIndex, load_documents
from prepai_cli.agent.tools.kb.documents import KnowledgeError, parse_note
from prepai_cli.bank import QuestionBank

# Queries a candidate or the interviewer model would type, with the document that should come back.
RECALL_QUERIES: list[tuple[str, str | None, str]] = [
    ("dynamodb hot partition", None, "note:aws-solutions-architect#dynamodb-partition-keys-and-hot-partitions"),
    ("how to structure a behavioural answer STAR", None, "note:star-method#situation-task-action-result"),
    ("amazon leadership principles bar raiser", None, "note:amazon-sde#leadership-principles-in-every-round"),
    ("what is googleyness", None, "note:google-sde#googleyness"),
    ("cache stampede eviction ttl", None, "note:system-design#caching"),
    ("consistent hashing sharding replication", None, "note:system-design#sharding-replication-and-consistency"),
    ("explain an employment gap on my resume", None, "note:cv-grilling#explain-gaps-and-moves"),
    ("cosmos db consistency levels", None, "note:azure-solutions-architect#data-services"),
    ("bigquery partition cluster cost", None, "note:gcp-solutions-architect#data-and-analytics"),
    ("disaster recovery pilot light warm standby RTO RPO", None,
     "note:aws-solutions-architect#high-availability-and-disaster-recovery"),
    ("two sum hash map complement", None, "question:gsde-two-sum"),
    ("sliding window maximum deque", "coding-round", "question:code-sliding-window-max"),
    ("filler words um like", None, "note:communication#filler-words-and-pace"),
    ("topological sort course prerequisites", None, "question:code-course-order"),
    ("rate limiter token bucket", "system-design", "note:system-design#rate-limiting-and-apis"),
    ("defend quantified claims latency 40%", None, "note:cv-grilling#defend-your-numbers"),
]


@pytest.fixture(scope="module")
def index(bank: QuestionBank) -> KnowledgeIndex:
    return KnowledgeIndex(load_documents(bank))


def test_recall_at_5(index: KnowledgeIndex) -> None:
    found = []
    for query, interview_type, expected in RECALL_QUERIES:
        hits = index.search(query, interview_type=interview_type, top_k=5)
        found.append(expected in [h.doc_id for h in hits])
    recall = sum(found) / len(found)
    missed = [q for (q, _, _), ok in zip(RECALL_QUERIES, found) if not ok]
    print(f"KB recall@5 = {recall:.2f} over {len(found)} queries; build {index.build_seconds * 1000:.0f} ms")
    assert recall >= 0.9, f"missed: {missed}"


def test_every_expected_document_exists(index: KnowledgeIndex) -> None:
    ids = {d.doc_id for d in index.documents}
    assert all(expected in ids for _, _, expected in RECALL_QUERIES)


def test_corpus_has_notes_for_every_type_and_every_question(index: KnowledgeIndex, bank: QuestionBank) -> None:
    note_types = {d.type for d in index.documents if d.kind == "note"}
    assert set(bank.slugs) | {"general"} <= note_types
    question_ids = {d.doc_id.split(":", 1)[1] for d in index.documents if d.kind == "question"}
    assert question_ids == {q.id for q in bank.all_questions()}


def test_type_filter_keeps_that_type_and_general_notes(index: KnowledgeIndex) -> None:
    hits = index.search("partition key design", interview_type="azure-solutions-architect", top_k=10)
    assert hits
    for hit in hits:
        doc = next(d for d in index.documents if d.doc_id == hit.doc_id)
        assert "azure-solutions-architect" in doc.types or doc.type == "general"


def test_scores_are_descending_and_snippets_show_the_query(index: KnowledgeIndex) -> None:
    hits = index.search("hot partition throttling", top_k=5)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert "partition" in hits[0].snippet.lower()
    assert len(hits[0].snippet) <= 260


def test_queries_with_nothing_known_return_nothing(index: KnowledgeIndex) -> None:
    assert index.search("the and of", top_k=5) == []
    assert index.search("zzqxv wvbnm", top_k=5) == []


def test_module_level_search_uses_the_packaged_notes() -> None:
    hits = kb.search("STAR method", top_k=2)
    assert hits and hits[0].doc_id.startswith("note:star-method")


def test_export_lays_out_files_per_type_with_metadata(tmp_path: Path, index: KnowledgeIndex) -> None:
    written = kb.export_documents(index.documents, tmp_path)
    assert len(written) == len(index.documents)
    assert len({p for p in written}) == len(written), "two documents wrote the same file"
    folders = {p.parent.name for p in written}
    assert {"google-sde", "aws-solutions-architect", "general", "behavioral"} <= folders
    sample = tmp_path / "aws-solutions-architect" / "note-aws-solutions-architect--dynamodb-partition-keys-and-hot-partitions.md"
    assert sample.read_text().startswith("# AWS Solutions Architect interview notes: DynamoDB")
    meta = json.loads((sample.parent / (sample.name + ".metadata.json")).read_text())
    assert meta["metadataAttributes"]["interview_type"] == "aws-solutions-architect"
    for path in written:
        assert (path.parent / (path.name + ".metadata.json")).exists()


def test_malformed_notes_are_reported(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("# no front matter\n")
    with pytest.raises(KnowledgeError, match="front matter"):
        parse_note(bad)
    bad.write_text("---\ntitle: T\ntype: general\n---\nno sections here\n")
    with pytest.raises(KnowledgeError, match="sections"):
        parse_note(bad)
