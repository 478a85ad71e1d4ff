"""Interview Warmup-style insights from the answer transcripts: job terms, repeated words and talking points."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from prepai_cli.bank import Question
from prepai_cli.report.models import Insights, TalkingPoint, TermUse
from prepai_cli.report.text import is_content_word, normalise, sentences, tokens

MAX_TERMS = 15
MAX_REPEATED = 10
MAX_EVIDENCE = 3

# Cue phrases that signal each talking point; deliberately plain so the report can quote the sentence that matched.
TALKING_POINT_CUES: dict[str, tuple[str, re.Pattern[str]]] = {
    "experience": ("Experience", re.compile(
        r"\b(in my (last|previous|current|first) (role|job|team|company|position)|at my (last|previous|current) "
        r"(job|company|team|role)|when i (was|worked)|i worked|i have worked|i've worked|years of|i was responsible|"
        r"i led|i owned|i built|we built|on my team|in a previous project|in one project)\b", re.IGNORECASE)),
    "skills": ("Skills", re.compile(
        r"\b(i'?m (good|skilled|experienced|strong) (at|in|with)|experienced (in|with)|proficient|familiar with|"
        r"my strengths?|i know how to|i'?m comfortable|i specialise|i specialize|expertise|skilled|i can)\b",
        re.IGNORECASE)),
    "lessons": ("Lessons learned", re.compile(
        r"\b(i learned|i learnt|lessons? learned|taught me|next time|in hindsight|looking back|i would do "
        r"differently|i'd do differently|i realised|i realized|takeaway|since then i)\b", re.IGNORECASE)),
}


_NAMED = re.compile(r"\b(?:[A-Z][a-z]*[A-Z0-9][A-Za-z0-9]*|[A-Z]{2,}[a-z]?|[A-Z][a-z]+(?=[A-Z]))\b")
# Ordinary words that key points use around the job's vocabulary; never job terms on their own.
_PLAIN = frozenset("""
zero one two three four five six seven eight nine ten hundred hundreds thousand thousands million millions billion
half twice keep keeps kept head tail end ends start starts step steps instead every each both either whole
""".split())
# A word the rubric uses in this many different questions of the type is part of the job's vocabulary.
RECURRING_QUESTIONS = 3


def _vocabulary(questions: list[Question]) -> set[str]:
    """The job's vocabulary: technical terms and product names the type's key points use ("sharding", "DynamoDB",
    "S3"), and words its rubric keeps coming back to ("feedback" for behavioural questions), not the ordinary words
    around them ("three", "keeps", "head")."""
    from prepai_cli.agent.evaluator.text import TECH_PHRASES, TECH_TERMS

    out: set[str] = set()
    seen_in: dict[str, set[str]] = defaultdict(set)
    for q in questions:
        for kp in q.key_points:
            for token in tokens(kp.text):
                if not is_content_word(token) or token in _PLAIN:
                    continue
                if token in TECH_TERMS:
                    out.add(normalise(token))
                seen_in[normalise(token)].add(q.id)
            out.update(normalise(name.lower()) for name in _NAMED.findall(kp.text) if len(name) > 1)
            for phrase in TECH_PHRASES.findall(kp.text):
                out.update(normalise(t) for t in tokens(phrase) if is_content_word(t))
    out.update(word for word, ids in seen_in.items() if len(ids) >= RECURRING_QUESTIONS)
    return out - _PLAIN


def _ranked(counts: dict[str, Counter[str]]) -> list[TermUse]:
    """Words grouped by their normalised form, shown as the spelling the candidate used most."""
    uses = [TermUse(term=forms.most_common(1)[0][0], count=sum(forms.values())) for forms in counts.values()]
    return sorted(uses, key=lambda u: (-u.count, u.term))


def build_insights(answer_texts: list[str], type_questions: list[Question],
                   credited_texts: list[str] | None = None) -> Insights:
    """`type_questions` is the bank for the interview type: its key points are the job's vocabulary.
    `credited_texts` are the answers the evaluator judged sound (on topic, no wrong claim): only they can show a
    talking point, so a confidently wrong sentence is never listed as a skill."""
    vocabulary = _vocabulary(type_questions)
    content: dict[str, Counter[str]] = defaultdict(Counter)
    for text in answer_texts:
        for token in tokens(text):
            if is_content_word(token):
                content[normalise(token)][token] += 1
    job_terms = {key: forms for key, forms in content.items() if key in vocabulary}
    talking_points: list[TalkingPoint] = []
    all_sentences = [s for text in (answer_texts if credited_texts is None else credited_texts) for s in sentences(text)]
    for key, (name, cue) in TALKING_POINT_CUES.items():
        evidence = [s for s in all_sentences if cue.search(s)]
        talking_points.append(TalkingPoint(
            key=key,  # type: ignore[arg-type]  # keys of TALKING_POINT_CUES are the TalkingPointKey literals
            name=name, covered=bool(evidence), evidence=evidence[:MAX_EVIDENCE],
        ))
    return Insights(
        job_terms=_ranked(job_terms)[:MAX_TERMS],
        repeated_words=[use for use in _ranked(content) if use.count >= 2][:MAX_REPEATED],
        talking_points=talking_points,
    )
