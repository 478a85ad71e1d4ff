"""BM25 search over the knowledge base documents (bm25s, English stopwords, Snowball stemming)."""

from __future__ import annotations

import re
import time

import bm25s
import numpy as np
import Stemmer
from bm25s.tokenization import Tokenizer

from prepai_cli.agent.tools.kb.documents import GENERAL
from prepai_cli.agent.tools.kb.models import KBDocument, KBHit

SNIPPET_CHARS = 240


class KnowledgeIndex:
    def __init__(self, documents: list[KBDocument]):
        started = time.perf_counter()
        self.documents = documents
        self._tokenizer = Tokenizer(stopwords="en", stemmer=Stemmer.Stemmer("english"))
        # Titles are repeated so a topic named in the title outweighs a passing mention in the body.
        texts = [f"{d.title} {d.title} {d.body}" for d in documents]
        corpus = self._tokenizer.tokenize(texts, return_as="ids", show_progress=False)
        self._bm25 = bm25s.BM25()
        self._bm25.index(corpus, show_progress=False)
        self.build_seconds = time.perf_counter() - started

    def search(self, query: str, interview_type: str | None = None, top_k: int = 5) -> list[KBHit]:
        ids = self._tokenizer.tokenize([query], update_vocab=False, return_as="ids", show_progress=False)
        if not any(ids):
            return []
        scores = np.asarray(self._bm25.get_scores(ids[0]))
        order = np.argsort(-scores, kind="stable")
        terms = self._query_terms(query)
        hits: list[KBHit] = []
        for position in order:
            score = float(scores[position])
            if score <= 0 or len(hits) >= top_k:
                break
            doc = self.documents[int(position)]
            if interview_type and interview_type not in doc.types and doc.type != GENERAL:
                continue
            hits.append(KBHit(doc_id=doc.doc_id, title=doc.title, type=doc.type,
                              snippet=snippet(doc.body, terms), score=round(score, 4)))
        return hits

    @staticmethod
    def _query_terms(query: str) -> list[str]:
        return [t for t in re.findall(r"\w{3,}", query.lower())]


def snippet(body: str, terms: list[str], width: int = SNIPPET_CHARS) -> str:
    """The window of the body around the first query term, on word boundaries."""
    flat = " ".join(body.split())
    lowered = flat.lower()
    # Prefix match on a stem-sized head so "partitions" finds "partition".
    positions = [lowered.find(t[: max(4, len(t) - 2)]) for t in terms]
    found = [p for p in positions if p >= 0]
    start = max(0, min(found) - width // 4) if found else 0
    if start > 0:
        start = flat.find(" ", start) + 1 or start
    text = flat[start:start + width]
    if start + width < len(flat):
        text = text[: text.rfind(" ")] + " …" if " " in text else text + "…"
    return ("… " if start > 0 else "") + text
