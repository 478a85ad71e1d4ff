"""Offline answer evaluation: what was right, what was missing, what was wrong, and a score that follows.

Meaning, not wording: every key point carries the other ways candidates say it (`phrasings`) and, when it
lists several items, its `parts`; a key point is credited when some sentence of the answer is close to any
of its wordings. Wrong claims are data too: each key point's `misconceptions` are compared with the answer's
sentences, and one that is closer to the misconception than to every right wording of the point, with the
same polarity ("X" and "never X" are different claims), is named and costs more than a silence.

Relevance comes first: an answer that matches another question of the interview better than this one (a
conflict story told to a prioritisation question) or matches nothing scores near zero whatever its shape.
Stories are judged on substance as well as STAR form (behaviour.py). Coding questions are scored first from
the sandbox's test results. `judge_question` combines the turns said to one question: each turn is judged
on its own and credit is the best any turn earned, minus hints.

Every number in `Tuning` was chosen on the dev half of tests/data/calibration.yaml; bench/evaluator_agreement.py
reports agreement on the held-out half.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from prepai_cli.agent.answers import is_non_answer
from prepai_cli.agent.evaluator import star as star_mod
from prepai_cli.agent.evaluator import text as t
from prepai_cli.agent.evaluator.behaviour import behaviour_hits
from prepai_cli.agent.evaluator.embedder import Embedder
from prepai_cli.agent.evaluator.models import CodeResult, Evaluation, KeyPointResult, MisconceptionHit
from prepai_cli.bank.models import Question


@dataclass(frozen=True)
class Tuning:
    """Thresholds and weights (see the module docstring for where they come from)."""

    # A factual key point is covered when some unit reaches this similarity with one of its wordings;
    # credit ramps over threshold +- width, so near misses count a little.
    cover_threshold: float = 0.60
    cover_width: float = 0.06
    # Paraphrases a small embedding model sees only dimly (similarity ~0.5) still earn part of a point: the
    # final coverage blends hard credit with this softer, wider ramp.
    soft_threshold: float = 0.50
    soft_width: float = 0.10
    soft_share: float = 0.35
    # Behavioural rubric lines are abstract; their credit is also scaled by how concrete the story is.
    rubric_threshold: float = 0.40
    rubric_width: float = 0.08
    rubric_concrete_floor: float = 0.35
    # A plan for a hypothetical ("what would you do if") needs less past detail than a story.
    plan_concrete_floor: float = 0.75
    # A rubric line asking for a facet any story can show (its outcome, its lesson) is credited this much when the
    # story shows it, however differently it is worded (MiniLM barely links "next time I'd book the expert on day
    # one" to "reflects on what they would do differently").
    facet_credit: float = 0.70
    # A part of a multi-item key point ("reliability" among the six pillars) is short and specific.
    part_threshold: float = 0.55
    part_width: float = 0.06
    key_point_negation_discount: float = 0.05
    # A misconception is stated when a single sentence is this similar to its claim ...
    misconception_min: float = 0.62
    # ... and closer to the claim than to every right wording of the key point by this margin.
    misconception_margin: float = 0.03
    misconception_full: float = 0.12
    misconception_restated: float = 0.72
    # A sentence about as similar to the correction as to the claim (this much less, or more) states the truth:
    # given the benefit of the doubt, not charged with the claim.
    correction_margin: float = -0.02
    # ... unless the sentence is this close to the claim as a whole.
    anchor_waived: float = 0.70
    # How far above the cover threshold a sentence must match the point's right wordings to be taken as stating
    # it (then only a clearly closer misconception counts).
    states_point_slack: float = 0.0
    # Bank red flags (question level) work the same way against the key points.
    red_flag_min: float = 0.62
    red_flag_min_rubric: float = 0.48
    red_flag_margin: float = 0.06
    red_flag_margin_rubric: float = 0.03
    red_flag_full: float = 0.20
    contradiction_min: float = 0.50
    # Share of the score each mistake removes at full strength; all mistakes together never more than max.
    misconception_weight: float = 0.30
    contradiction_weight: float = 0.25
    red_flag_weight: float = 0.20
    behaviour_weight: float = 0.40
    mistake_max: float = 0.80
    brevity_words: int = 30
    # Past this many words an answer that covers little is a ramble and loses up to `ramble_cost`.
    ramble_words: int = 300
    ramble_cost: float = 0.35
    star_threshold: float = 0.45
    match_threshold: float = 0.55
    coverage_weight: float = 0.85
    specificity_weight: float = 0.15
    star_coverage_weight: float = 0.40
    star_structure_weight: float = 0.35
    star_specificity_weight: float = 0.25
    # Relevance: the answer's best match with this question's own wordings must reach `relevance_floor`,
    # and must not trail its best match with another question of the interview by more than the margin.
    relevance_floor: float = 0.34
    relevance_floor_width: float = 0.06
    rival_margin: float = -0.04
    rival_width: float = 0.05
    story_relevance_floor: float = 0.20
    # Relevance multiplies the score raised to this power: a half-relevant answer keeps a quarter at 2.
    relevance_power: float = 1.0
    # A technical answer that comes nearer another question's key points than this one's, on average over key points
    # (of the best sentence for each), by this margin, answers that question.
    rival_coverage_margin: float = 0.08
    rival_coverage_width: float = 0.03
    # An answer no part of which comes this close to any wording of any key point talks about something else.
    nothing_near: float = 0.40
    story_rival_margin: float = -0.22
    # Structure-only judging (no bank question matched): relevance of the answer to the question text.
    relevance_threshold: float = 0.30
    relevance_width: float = 0.08
    # Coding: share of the score that comes from the tests, and the most failing code can score.
    code_weight: float = 0.60
    failing_code_cap: float = 4.5
    hint_cost: float = 0.75
    hint_cost_max: float = 2.5


DEFAULT_TUNING = Tuning()
_CACHE_SIZE = 8192
OFF_TOPIC_BELOW = 0.35
# Sentences at least this long are also read clause by clause for wrong claims.
_CLAUSE_SENTENCE_WORDS = 12
_CLAUSE_BREAK = re.compile(r"[,;]\s+|\s+but\s+")


def _ramp(value: float | np.ndarray, center: float, width: float) -> np.ndarray:
    return np.clip((np.asarray(value) - (center - width)) / (2 * width), 0.0, 1.0)


@dataclass(frozen=True)
class _Analysis:
    """The parts of an answer every judgement needs."""

    sentences: list[str]
    units: list[t.Unit]
    vectors: np.ndarray  # one row per unit
    word_count: int
    specificity: float
    structure: dict[str, bool]
    concrete: np.ndarray  # per unit, 0-1 (text.concreteness)
    negated: np.ndarray  # per unit
    facets: frozenset[str] = frozenset()  # story facets shown (star.facets)

    @property
    def single(self) -> np.ndarray:
        return np.array([u.first == u.last for u in self.units], dtype=bool)


@dataclass
class _TurnJudgement:
    """One candidate turn judged against a question: per key point credit and the mistakes it made."""

    credits: np.ndarray  # [key points]
    soft: np.ndarray  # [key points] the softer ramp (Tuning.soft_threshold)
    similarity: np.ndarray  # [key points]
    evidence: list[str | None]
    contradicted: set[int]
    misconceptions: list[tuple[int, int, str, float]]  # (key point, misconception index, sentence, strength)
    red_flags: list[tuple[str, float]]
    behaviours: list[tuple[str, str, str]]  # (label, advice, sentence)
    structure: dict[str, bool]
    relevance: float
    word_count: int
    # Another question of the interview fits this turn clearly better than the one asked (a neighbouring
    # problem's memorised answer): its key point credit does not make it relevant.
    fits_rival: bool = False
    sentences: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AnswerTurn:
    """A candidate turn as judge_question takes it: its text, and the key point it replied to (a follow-up)."""

    text: str
    reply_to: str | None = None


class AnswerEvaluator:
    def __init__(self, embedder: Embedder, tuning: Tuning = DEFAULT_TUNING,
                 rivals: Sequence[Question] = ()) -> None:
        """`rivals`: the other questions of the interview (usually the whole bank); an answer that fits one of
        them better than the question asked is off topic."""
        self._embedder = embedder
        self._tuning = tuning
        self._rivals = list(rivals)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        # The cache is shared with a background warm-up (warm) and with the turn reader.
        self._lock = threading.RLock()
        self._rival_table: tuple[np.ndarray, list[Question], np.ndarray] | None = None
        self._rival_masks: dict[str, np.ndarray] = {}
        self._prototypes = {name: embedder.encode(list(texts)) for name, texts in star_mod.PROTOTYPES.items()}

    # ------------------------------------------------------------ public

    def evaluate(self, question: Question, answer: str, *, star: bool) -> Evaluation:
        """One answer to `question`."""
        return self.judge_question(question, [AnswerTurn(answer)], star=star)

    def judge_question(self, question: Question, turns: Sequence[AnswerTurn], *, star: bool, hints: int = 0,
                       code: CodeResult | None = None, match_note: str | None = None) -> Evaluation:
        """Everything the candidate said to one question (answers to it and to its follow-ups, not clarifying
        questions or hint requests), the hints they were given and the sandbox's verdict on their code."""
        with self._lock:
            return self._judge_question(question, turns, star=star, hints=hints, code=code, match_note=match_note)

    def _judge_question(self, question: Question, turns: Sequence[AnswerTurn], *, star: bool, hints: int,
                        code: CodeResult | None, match_note: str | None) -> Evaluation:
        spoken = [turn for turn in turns if not is_non_answer(turn.text)]
        if not spoken and code is None:
            return self._non_answer(question, " ".join(turn.text for turn in turns), star=star,
                                    match_note=match_note)
        star = star and not (question.story and t.is_hypothetical(question.text))
        judged = [self._judge_turn(question, self._analyse(turn.text, star=star, echo=question.text), star=star)
                  for turn in spoken]
        return self._combine(question, judged, star=star, hints=hints, code=code, match_note=match_note)

    def evaluate_text(self, question_text: str, answer: str, *, candidates: Sequence[Question],
                      star: bool) -> Evaluation:
        """An answer to a question given as text: judged by the matching bank question's own rules (its STAR
        flag, key points and misconceptions), or on structure and relevance when no bank question matches."""
        with self._lock:
            return self._evaluate_text(question_text, answer, candidates=candidates, star=star)

    def _evaluate_text(self, question_text: str, answer: str, *, candidates: Sequence[Question],
                       star: bool) -> Evaluation:
        best, similarity = self.match_question(question_text, candidates)
        if best is not None and similarity >= self._tuning.match_threshold:
            note = f"matched to bank question {best.id} (similarity {similarity:.2f})"
            return self.judge_question(best, [AnswerTurn(answer)], star=best.story, match_note=note)
        closest = f"closest was {best.id} at {similarity:.2f}; " if best is not None else ""
        note = f"no close bank question ({closest}judged on structure and specificity only)"
        return self._structure_only(question_text, answer, star=star, match_note=note)

    def match_question(self, question_text: str, candidates: Sequence[Question]) -> tuple[Question | None, float]:
        """The candidate whose text is most similar to `question_text`, and that similarity."""
        if not candidates or not question_text.strip():
            return None, 0.0
        query = self._embedder.encode([t.for_embedding(question_text)])[0]
        vectors = self._vectors([t.for_embedding(q.text) for q in candidates])
        sims = vectors @ query
        best = int(np.argmax(sims))
        return candidates[best], float(sims[best])

    def similarity(self, text: str, others: Sequence[str]) -> np.ndarray:
        """Cosine similarity of `text` with each of `others` (for callers that classify turns)."""
        if not others:
            return np.zeros(0, dtype=np.float32)
        with self._lock:
            query = self._vectors([t.for_embedding(text)])[0]
            return self._vectors([t.for_embedding(o) for o in others]) @ query

    def relevance(self, question: Question, answer: str) -> float:
        """0-1: how much `answer` addresses `question` rather than something else."""
        with self._lock:
            a = self._analyse(answer, star=False, echo=question.text)
            return self._relevance(question, a, self._evidence_sims(question, a)[0])

    def warm(self, stop: threading.Event | None = None) -> None:
        """Encodes the rival questions' texts ahead of the first answer (a few seconds for the whole bank), in
        small batches so a caller can stop it between two (an exit must not find onnxruntime mid-run)."""
        texts = [t.for_embedding(x) for q in self._rivals for x in (q.text, *(kp.text for kp in q.key_points))]
        for start in range(0, len(texts), 64):
            if stop is not None and stop.is_set():
                return
            with self._lock:
                self._vectors(texts[start:start + 64])
        with self._lock:
            self._rival_rows()

    def prepare(self, question: Question) -> None:
        """Encodes everything the judgement compares an answer with (wordings, parts, misconceptions, red flags),
        so the answer itself is the only thing left to encode: called when the question is asked."""
        texts: list[str] = []
        for k, kp in enumerate(question.key_points):
            texts += (self._wordings(question, k) + list(kp.parts) + [m.claim for m in kp.misconceptions]
                      + [m.correction for m in kp.misconceptions])
        rubric = question.category in t.RUBRIC_CATEGORIES
        for flag in question.red_flags:
            texts += [flag, t.first_person(flag, rubric=rubric)]
        texts += [question.text, *(kp.text for kp in question.key_points)]
        with self._lock:
            self._vectors([t.for_embedding(x) for x in texts] + texts)
            self._rival_mask(question)

    # ------------------------------------------------------------ embeddings

    def _vectors(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(text for text in texts if text not in self._cache))
        if missing:
            for text, vector in zip(missing, self._embedder.encode(missing)):
                self._cache[text] = vector
        for text in texts:
            self._cache.move_to_end(text)
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        if not texts:
            return np.zeros((0, self._prototypes["action"].shape[1]), dtype=np.float32)
        return np.stack([self._cache[text] for text in texts])

    # ------------------------------------------------------------ analysis

    def _analyse(self, answer: str, *, star: bool, echo: str) -> _Analysis:
        """`echo` is the question text: its own terms do not count as the answer being specific."""
        sentences = t.sentences(answer)[: t.MAX_SENTENCES]
        units = t.units(sentences)
        vectors = self._unit_vectors(sentences, units)
        structure: dict[str, bool] = {}
        facets: frozenset[str] = frozenset()
        if star:
            labels = star_mod.part_labels(sentences, vectors[: len(sentences)], self._prototypes,
                                          self._tuning.star_threshold)
            structure = star_mod.structure(sentences, labels)
            facets = star_mod.facets(sentences, labels)
        concrete = np.array([t.concreteness(" ".join(sentences[max(0, u.first - 1): u.last + 2]), echo)
                             for u in units])
        negated = np.array([t.negated(u.text) for u in units], dtype=bool)
        word_count = len(t.words(answer))
        return _Analysis(sentences, units, vectors, word_count, t.specificity(answer, word_count, echo), structure,
                         concrete, negated, facets)

    def _unit_vectors(self, sentences: list[str], units: list[t.Unit]) -> np.ndarray:
        """Sentence vectors from the model; a pair's vector is the length-weighted mean of its two sentences'
        vectors, renormalised (what encoding the pair gives minus cross-sentence attention, at half the cost)."""
        singles = self._embedder.encode([t.for_embedding(s) for s in sentences])
        weights = np.array([max(1, len(t.words(s))) for s in sentences], dtype=np.float32)
        out = np.empty((len(units), singles.shape[1]), dtype=np.float32)
        for i, unit in enumerate(units):
            if unit.first == unit.last:
                out[i] = singles[unit.first]
                continue
            mixed = weights[unit.first] * singles[unit.first] + weights[unit.last] * singles[unit.last]
            out[i] = mixed / max(float(np.linalg.norm(mixed)), 1e-12)
        return out

    @staticmethod
    def _wordings(question: Question, k: int) -> list[str]:
        kp = question.key_points[k]
        texts = [kp.text, *kp.phrasings]
        if t.is_rubric(kp.text, question.category):
            texts.append(t.first_person(kp.text))
        return texts

    def _evidence_sims(self, question: Question, a: _Analysis) -> tuple[np.ndarray, list[np.ndarray]]:
        """[key points, units] best similarity of each unit with any wording of each key point, and per key
        point the [parts, units] similarities of its parts."""
        tune = self._tuning
        sims = np.full((len(question.key_points), len(a.units)), -1.0, dtype=np.float32)
        parts: list[np.ndarray] = []
        for k, kp in enumerate(question.key_points):
            wordings = self._wordings(question, k)
            vectors = self._vectors([t.for_embedding(w) for w in wordings])
            per = vectors @ a.vectors.T if len(a.units) else np.zeros((len(wordings), 0))
            negated = np.array([t.negated(w) for w in wordings], dtype=bool)
            per = per - tune.key_point_negation_discount * (negated[:, None] != a.negated[None, :])
            sims[k] = per.max(axis=0) if len(a.units) else sims[k]
            if kp.parts and len(a.units):
                part_vectors = self._vectors([t.for_embedding(p) for p in kp.parts])
                parts.append(part_vectors @ a.vectors.T)
            else:
                parts.append(np.zeros((0, len(a.units)), dtype=np.float32))
        return sims, parts

    def _rival_rows(self) -> tuple[np.ndarray, list[Question], np.ndarray]:
        """Every rival question's text and key points as rows of one matrix, and which rival each row is (the
        first row of each rival is its text, the rest its key points)."""
        if self._rival_table is None:
            texts: list[str] = []
            owners: list[int] = []
            for index, rival in enumerate(self._rivals):
                rows = [t.for_embedding(x) for x in (rival.text, *(kp.text for kp in rival.key_points))]
                texts += rows
                owners += [index] * len(rows)
            matrix = self._vectors(texts) if texts else np.zeros((0, self._prototypes["action"].shape[1]), np.float32)
            self._rival_table = (matrix, list(self._rivals), np.array(owners, dtype=np.int64))
        return self._rival_table

    def _rival_mask(self, question: Question) -> np.ndarray:
        """Rows of questions asked in the same interview types as `question`, other than itself."""
        mask = self._rival_masks.get(question.id)
        if mask is None:
            _matrix, rivals, owners = self._rival_rows()
            same = np.array([r.id != question.id and bool(set(r.types) & set(question.types)) for r in rivals],
                            dtype=bool)
            mask = same[owners] if len(owners) else np.zeros(0, dtype=bool)
            self._rival_masks[question.id] = mask
        return mask

    def _relevance(self, question: Question, a: _Analysis, sims: np.ndarray) -> float:
        tune = self._tuning
        if not len(a.units):
            return 0.0
        own_texts = [question.text, *(kp.text for kp in question.key_points)]
        own = float((self._vectors([t.for_embedding(x) for x in own_texts]) @ a.vectors.T).max())
        best_evidence = max(own, float(sims.max()) if sims.size else -1.0)
        floor = float(_ramp(best_evidence, tune.story_relevance_floor if question.story else tune.relevance_floor,
                            tune.relevance_floor_width))
        matrix, _rivals, _owners = self._rival_rows()
        mask = self._rival_mask(question)
        if not mask.any():
            return floor
        rival_best = float((matrix[mask] @ a.vectors.T).max())
        # Stories resemble every behavioural rubric a little, so only a clearly better rival makes one off topic.
        margin = tune.story_rival_margin if question.story else tune.rival_margin
        against_rivals = float(_ramp(own - rival_best, margin, tune.rival_width))
        return min(floor, max(against_rivals, float(_ramp(own, 0.62, 0.04))))

    def _coverage_fit(self, question: Question, a: _Analysis, sims: np.ndarray) -> tuple[float, bool]:
        """For a technical question: whether a rival question's key points are covered clearly better than this
        one's (a short answer that covers one point of this question is still about it), as a relevance cap."""
        tune = self._tuning
        if question.story or not len(a.units) or not sims.size:
            return 1.0, False
        matrix, _rivals, owners = self._rival_rows()
        mask = self._rival_mask(question)
        if not mask.any():
            return 1.0, False
        own = float(sims.max(axis=1).mean())
        first_rows = np.r_[True, owners[1:] != owners[:-1]] if len(owners) else np.zeros(0, dtype=bool)
        rows = mask & ~first_rows
        best = (matrix[rows] @ a.vectors.T).max(axis=1)
        groups = owners[rows]
        rival = float((np.bincount(groups, weights=best) / np.maximum(np.bincount(groups), 1))[np.unique(groups)].max())
        lead = rival - own
        fit = 1.0 - float(_ramp(lead, tune.rival_coverage_margin, tune.rival_coverage_width))
        return fit, lead >= tune.rival_coverage_margin

    def _judge_turn(self, question: Question, a: _Analysis, *, star: bool) -> _TurnJudgement:
        tune = self._tuning
        n_kp = len(question.key_points)
        single = a.single
        sims, part_sims = self._evidence_sims(question, a)
        rubric = np.array([t.is_rubric(kp.text, question.category) for kp in question.key_points], dtype=bool)
        # A story must carry its own detail; a plan for a hypothetical is judged on what it proposes.
        concrete = a.concrete
        if question.story and t.is_hypothetical(question.text):
            concrete = np.maximum(concrete, (tune.plan_concrete_floor - tune.rubric_concrete_floor)
                                  / (1 - tune.rubric_concrete_floor))

        # A unit naming a different complexity (or singly/doubly, sync/async ...) than a factual key point it
        # resembles is evidence against that point, not for it.
        contra = np.zeros((n_kp, len(a.units)), dtype=bool)
        for k, kp in enumerate(question.key_points):
            if not rubric[k]:
                contra[k] = [t.contradicts(u.text, kp.text) for u in a.units]
        closest = (sims == sims.max(axis=0, keepdims=True)) if n_kp and len(a.units) else np.zeros_like(contra)
        contradicted = {k for k in range(n_kp)
                        if np.any(contra[k] & closest[k] & single & (sims[k] >= tune.contradiction_min))}

        misconceptions = self._misconceptions(question, a, sims)
        # A sentence that contradicts the point it is about is a wrong claim: it earns no credit for another point.
        flagged = (np.any(contra & closest & (sims >= tune.contradiction_min), axis=0) & single) if n_kp \
            else np.zeros(len(a.units), dtype=bool)
        for k, _m, sentence, _s in misconceptions:
            contradicted.add(k)
            flagged |= np.array([u.text == sentence or sentence in u.text for u in a.units], dtype=bool)

        best_per_unit = np.where(contra, -1.0, sims).max(axis=0) if n_kp else np.zeros(len(a.units))
        rubric_question = question.category in t.RUBRIC_CATEGORIES
        red_flags, flag_units = self._red_flags(question.red_flags, a, best_per_unit, rubric=rubric_question)
        flagged |= flag_units
        usable = ~flagged

        credits = np.zeros(n_kp, dtype=np.float32)
        soft = np.zeros(n_kp, dtype=np.float32)
        best_sim = np.zeros(n_kp, dtype=np.float32)
        evidence: list[str | None] = [None] * n_kp
        for k in range(n_kp):
            if k in contradicted or not len(a.units):
                continue
            k_sims = np.where(usable & ~contra[k], sims[k], -1.0)
            soft_unit = _ramp(k_sims, tune.soft_threshold, tune.soft_width)
            if rubric[k]:
                soft_unit = soft_unit * (tune.rubric_concrete_floor + (1 - tune.rubric_concrete_floor) * concrete)
            soft[k] = float(soft_unit.max())
            if rubric[k]:
                weight = tune.rubric_concrete_floor + (1 - tune.rubric_concrete_floor) * concrete
                per_unit = _ramp(k_sims, tune.rubric_threshold, tune.rubric_width) * weight
            else:
                per_unit = _ramp(k_sims, tune.cover_threshold, tune.cover_width)
            credit = float(per_unit.max())
            if rubric[k] and star_mod.point_facet(question.key_points[k].text) in a.facets:
                facet = tune.facet_credit * (tune.rubric_concrete_floor
                                             + (1 - tune.rubric_concrete_floor) * a.specificity)
                credit = max(credit, facet)
                soft[k] = max(soft[k], facet)
            if part_sims[k].size:
                part_credit = _ramp(np.where(usable, part_sims[k], -1.0).max(axis=1), tune.part_threshold,
                                    tune.part_width)
                credit = max(credit, float(part_credit.mean()))
            credits[k] = credit
            best_sim[k] = max(float(k_sims.max()), 0.0)
            if credit >= 0.5:
                evidence[k] = a.units[int(np.argmax(per_unit))].text if per_unit.max() > 0 else None
        behaviours = [(hit.behaviour.label, hit.behaviour.advice, hit.sentence)
                      for hit in behaviour_hits(a.sentences)] if question.story else []
        fit, fits_rival = self._coverage_fit(question, a, sims)
        return _TurnJudgement(
            credits=credits, soft=soft, similarity=best_sim, evidence=evidence, contradicted=contradicted,
            misconceptions=misconceptions, red_flags=red_flags, behaviours=behaviours, structure=a.structure,
            relevance=min(self._relevance(question, a, sims), fit), word_count=a.word_count, sentences=a.sentences,
            fits_rival=fits_rival,
        )

    def _clauses(self, a: _Analysis) -> tuple[list[str], list[str], np.ndarray]:
        """Clauses of the long comma-spliced sentences of an answer ("I merge neighbours as they come, merging is
        linear because it is one pass, no sorting needed"): a wrong claim can be one clause of a spoken sentence.
        Returns the clauses, the sentence each came from, and their vectors."""
        clauses: list[str] = []
        owners: list[str] = []
        for unit in a.units:
            if unit.first != unit.last or len(t.words(unit.text)) < _CLAUSE_SENTENCE_WORDS:
                continue
            parts = [p.strip() for p in _CLAUSE_BREAK.split(unit.text) if len(t.words(p)) >= 4]
            if len(parts) >= 2:
                clauses += parts
                owners += [unit.text] * len(parts)
        vectors = self._vectors([t.for_embedding(c) for c in clauses]) if clauses else \
            np.zeros((0, a.vectors.shape[1] if a.vectors.size else 384), dtype=np.float32)
        return clauses, owners, vectors

    def _misconceptions(self, question: Question, a: _Analysis,
                        sims: np.ndarray) -> list[tuple[int, int, str, float]]:
        tune = self._tuning
        found: list[tuple[int, int, str, float]] = []
        if not len(a.units):
            return found
        clauses, clause_owner, clause_vectors = self._clauses(a)
        # Candidates: every one-sentence unit, then every clause of a long sentence.
        texts = [u.text for u in a.units] + clauses
        said = [u.text for u in a.units] + clause_owner
        vectors = np.concatenate([a.vectors, clause_vectors]) if clauses else a.vectors
        single = np.concatenate([a.single, np.ones(len(clauses), dtype=bool)])
        negated = np.concatenate([a.negated, np.array([t.negated(c) for c in clauses], dtype=bool)])
        is_clause = np.arange(len(texts)) >= len(a.units)
        for k, kp in enumerate(question.key_points):
            if not kp.misconceptions:
                continue
            point_sims = sims[k]
            if clauses:
                wording_vectors = self._vectors([t.for_embedding(w) for w in self._wordings(question, k)])
                point_sims = np.concatenate([sims[k], (wording_vectors @ clause_vectors.T).max(axis=0)])
            claims = [m.claim for m in kp.misconceptions]
            claim_sims = self._vectors([t.for_embedding(c) for c in claims]) @ vectors.T
            # The correction says what is true: a sentence nearer to it than to the claim states the truth
            # ("secrets are only base64 encoded" is the correction of "secrets are encrypted", not the claim).
            correction_sims = self._vectors([t.for_embedding(m.correction) for m in kp.misconceptions]) @ vectors.T
            context = [question.text, *self._wordings(question, k)]
            anchors = [t.anchors(m.claim, [*context, m.correction]) for m in kp.misconceptions]
            for m, claim in enumerate(claims):
                # "X" and "never X" are different claims; a near restatement of the claim with an unrelated
                # negation elsewhere in the sentence ("... no sorting needed") is still the claim.
                # A clause is short: a negation in it is about the claim.
                polarity = (negated == t.negated(claim)) | ((claim_sims[m] >= tune.misconception_restated) & ~is_clause)
                consistent = np.array([not t.contradicts(text, claim) for text in texts], dtype=bool)
                margin = claim_sims[m] - point_sims
                # A sentence that already says the point in one of its right wordings is not the wrong claim.
                states_point = point_sims >= tune.cover_threshold + tune.cover_width + tune.states_point_slack
                # (A correction often names the wrong idea to deny it, "... not over random inputs": only a sentence of
                # the correction's own polarity says what it says.)
                denies = t.negated(kp.misconceptions[m].correction)
                nearer_truth = (correction_sims[m] >= claim_sims[m] + tune.correction_margin) & (
                    ~denies | (negated == denies))
                # The claim's own content words (those the right answer does not use) must be there in some form:
                # "a second stack that only holds minimums" is not "a min heap gives constant time".
                voiced = np.array([t.mentions_any(text, anchors[m]) for text in texts], dtype=bool) \
                    | (claim_sims[m] >= tune.anchor_waived)
                ok = single & polarity & consistent & voiced & ~nearer_truth & (claim_sims[m] >= tune.misconception_min) & (
                    ~states_point | (margin >= tune.misconception_full))
                margin = np.where(ok, margin, -1.0)
                best = int(np.argmax(margin))
                if margin[best] >= tune.misconception_margin:
                    strength = float(_ramp(margin[best], (tune.misconception_margin + tune.misconception_full) / 2,
                                           (tune.misconception_full - tune.misconception_margin) / 2))
                    found.append((k, m, said[best], max(strength, 0.5)))
        return found

    def _red_flags(self, red_flags: list[str], a: _Analysis, best_kp_per_unit: np.ndarray, *,
                   rubric: bool) -> tuple[list[tuple[str, float]], np.ndarray]:
        """Matched red flags with their strengths (0-1), and the units that voiced them.

        Only a single sentence with the flag's own polarity can voice it: "I would never compute the average at
        read time" does not voice "computes the average by scanning all reviews".
        """
        tune = self._tuning
        flagged = np.zeros(len(a.units), dtype=bool)
        if not red_flags or not len(a.units):
            return [], flagged
        single = a.single
        matched: list[tuple[str, float]] = []
        minimum = tune.red_flag_min_rubric if rubric else tune.red_flag_min
        needed = tune.red_flag_margin_rubric if rubric else tune.red_flag_margin
        for flag in red_flags:
            wordings = [flag, t.first_person(flag, rubric=rubric)]
            flag_sims = (self._vectors(wordings) @ a.vectors.T).max(axis=0)
            polarity = a.negated == t.negated(flag)
            consistent = np.array([not t.contradicts(u.text, flag) for u in a.units], dtype=bool)
            margin = np.where(single & polarity & consistent & (flag_sims >= minimum),
                              flag_sims - best_kp_per_unit, -1.0)
            if rubric:
                stance = np.array([u.first == u.last and t.stance_matches(flag, u.text) for u in a.units], dtype=bool)
                margin = np.where(stance, tune.red_flag_full, margin)
            evidence = float(margin.max())
            if evidence >= needed:
                matched.append((flag, float(_ramp(evidence, (needed + tune.red_flag_full) / 2,
                                                  (tune.red_flag_full - needed) / 2))))
                flagged |= margin >= needed
        for i, unit in enumerate(a.units):
            if unit.first != unit.last:
                flagged[i] = flagged[unit.first] or flagged[unit.last]
        return matched, flagged

    # ------------------------------------------------------------ combining turns into a score

    def _combine(self, question: Question, judged: list[_TurnJudgement], *, star: bool, hints: int,
                 code: CodeResult | None, match_note: str | None) -> Evaluation:
        tune = self._tuning
        n_kp = len(question.key_points)
        credits = np.zeros(n_kp, dtype=np.float32)
        soft = np.zeros(n_kp, dtype=np.float32)
        similarity = np.zeros(n_kp, dtype=np.float32)
        evidence: list[str | None] = [None] * n_kp
        for j in judged:
            soft = np.maximum(soft, j.soft)
            better = j.credits > credits
            for k in np.flatnonzero(better):
                evidence[k] = j.evidence[k]
            credits = np.maximum(credits, j.credits)
            similarity = np.maximum(similarity, j.similarity)
        # A wrong claim stays wrong unless a later turn (the reply to a challenge) gets the point right.
        misconceptions: list[MisconceptionHit] = []
        wrong_points: set[int] = set()
        corrected = 0
        for index, j in enumerate(judged):
            for k in j.contradicted:
                if any(float(x.credits[k]) >= 0.5 for x in judged[index + 1:]):
                    corrected += 1
                    continue
                wrong_points.add(k)
            for k, m, sentence, _strength in j.misconceptions:
                wrong = question.key_points[k].misconceptions[m]
                if k in wrong_points and not any(hit.claim == wrong.claim for hit in misconceptions):
                    misconceptions.append(MisconceptionHit(
                        key_point=question.key_points[k].id, claim=wrong.claim, said=sentence,
                        correction=wrong.correction, challenge=wrong.challenge))
        for k in wrong_points:
            credits[k] = 0.0
            soft[k] = 0.0
            evidence[k] = None
        red_flags: dict[str, float] = {}
        behaviours: dict[str, tuple[str, str]] = {}
        for j in judged:
            for flag, strength in j.red_flags:
                red_flags[flag] = max(red_flags.get(flag, 0.0), strength)
            for label, advice, sentence in j.behaviours:
                behaviours.setdefault(label, (advice, sentence))
        structure = {key: any(j.structure.get(key, False) for j in judged) for key in star_mod.STRUCTURE_KEYS} \
            if star else {}
        words = sum(j.word_count for j in judged)
        all_sentences = [s for j in judged for s in j.sentences]
        specificity = t.specificity(" ".join(all_sentences), words, question.text) if judged else 0.0
        relevance = max((j.relevance for j in judged), default=0.0)
        # An answer that covers this question's points addresses it, whatever other questions it resembles; one
        # that comes near none of them does not, however story-shaped it is.
        if n_kp and not all(j.fits_rival for j in judged):
            relevance = max(relevance, min(1.0, 1.5 * float(credits.mean())))
        # (A wrong claim about this question's point is about this question: it is challenged, not redirected.)
        if n_kp and float(similarity.max()) < tune.nothing_near and not wrong_points:
            relevance = min(relevance, 0.2)

        coverage = ((1 - tune.soft_share) * float(credits.mean()) + tune.soft_share * float(soft.mean())) if n_kp else 0.0
        if star:
            structure_share = float(np.mean([structure[k] for k in star_mod.STRUCTURE_KEYS]))
            base = (tune.star_coverage_weight * coverage + tune.star_structure_weight * structure_share
                    + tune.star_specificity_weight * specificity)
        elif question.story and t.is_hypothetical(question.text):
            # A plan for a hypothetical: what it proposes is the answer; there are no past facts to be specific about.
            base = coverage
        else:
            base = tune.coverage_weight * coverage + tune.specificity_weight * specificity
        mistakes = (tune.misconception_weight * len(misconceptions)
                    + tune.contradiction_weight * max(0, len(wrong_points) - len(misconceptions))
                    + tune.red_flag_weight * sum(red_flags.values())
                    + tune.behaviour_weight * len(behaviours))
        penalty = min(tune.mistake_max, mistakes)
        brevity = min(1.0, words / tune.brevity_words) if judged else 0.0
        longest = max((j.word_count for j in judged), default=0)
        ramble = tune.ramble_cost * (1 - coverage) * min(1.0, max(0, longest - tune.ramble_words) / tune.ramble_words)
        talk = base * brevity * relevance ** tune.relevance_power * (1 - penalty) * (1 - ramble)
        if code is not None and code.total > 0:
            passed = code.passed / code.total
            score = 10.0 * (tune.code_weight * passed ** 2 + (1 - tune.code_weight) * talk)
            if code.passed < code.total:
                score = min(score, tune.failing_code_cap)
        else:
            score = 10.0 * talk
        hint_penalty = min(tune.hint_cost_max, tune.hint_cost * hints)
        score = max(0.0, score - hint_penalty)
        score = round(min(10.0, score), 1)

        results = [KeyPointResult(id=kp.id, text=kp.text, covered=bool(credits[k] >= 0.5) and k not in wrong_points,
                                  similarity=round(float(similarity[k]), 3), credit=round(float(credits[k]), 3),
                                  contradicted=k in wrong_points, evidence=evidence[k])
                   for k, kp in enumerate(question.key_points)]
        missed_order = sorted(
            (k for k, r in enumerate(results) if not r.covered),
            key=lambda k: (k not in wrong_points, question.follow_up_for(results[k].id) is None, credits[k], k),
        )
        off_topic = relevance < OFF_TOPIC_BELOW
        suggestions = self._suggestions(
            question, missed=[k for k in missed_order if k not in wrong_points], misconceptions=misconceptions,
            contradicted=[k for k in wrong_points if not any(h.key_point == question.key_points[k].id
                                                               for h in misconceptions)],
            red_flags=list(red_flags), behaviours=[advice for advice, _ in behaviours.values()],
            structure=structure, specificity=specificity, star=star, off_topic=off_topic, code=code,
        )
        notes = self._notes(question, results, misconceptions, behaviours, off_topic=off_topic, code=code,
                            hints=hints, hint_penalty=hint_penalty, corrected=corrected)
        return Evaluation(
            score=score, key_points=results, covered=[r.id for r in results if r.covered],
            missed=[results[k].id for k in missed_order], structure=structure, specificity=round(specificity, 3),
            red_flags=list(red_flags), suggestions=suggestions, question_id=question.id, match_note=match_note,
            word_count=words, misconceptions=misconceptions, behaviours=list(behaviours),
            relevance=round(relevance, 3), off_topic=off_topic, code=code, hint_penalty=round(hint_penalty, 2),
            turns=len(judged), notes=notes,
        )

    # ------------------------------------------------------------ special cases

    def _non_answer(self, question: Question, answer: str, *, star: bool, match_note: str | None) -> Evaluation:
        results = [KeyPointResult(id=kp.id, text=kp.text, covered=False, similarity=0.0) for kp in question.key_points]
        missed = sorted((r.id for r in results), key=lambda i: question.follow_up_for(i) is None)
        suggestions = ["It's fine not to know everything: say what you do know, then reason out loud toward an answer."]
        if question.hints:
            suggestions.append(f"Here is an angle to start from: {question.hints[0].strip()}")
        structure = {key: False for key in star_mod.STRUCTURE_KEYS} if star else {}
        return Evaluation(
            score=0.0, key_points=results, covered=[], missed=missed, structure=structure, specificity=0.0,
            red_flags=[], suggestions=suggestions, question_id=question.id, match_note=match_note,
            word_count=len(t.words(answer)), relevance=0.0, notes=["No answer was given."],
        )

    def _structure_only(self, question_text: str, answer: str, *, star: bool, match_note: str) -> Evaluation:
        tune = self._tuning
        if is_non_answer(answer):
            structure = {key: False for key in star_mod.STRUCTURE_KEYS} if star else {}
            return Evaluation(
                score=0.0, key_points=[], covered=[], missed=[], structure=structure, specificity=0.0, red_flags=[],
                suggestions=["It's fine not to know everything: say what you do know, then reason out loud."],
                question_id=None, match_note=match_note, word_count=len(t.words(answer)), relevance=0.0,
            )
        a = self._analyse(answer, star=star, echo=question_text)
        query = self._embedder.encode([t.for_embedding(question_text)])[0]
        relevance = float(_ramp(float((a.vectors @ query).max()), tune.relevance_threshold, tune.relevance_width))
        if star:
            structure_share = float(np.mean([a.structure[k] for k in star_mod.STRUCTURE_KEYS]))
            base = 0.4 * relevance + 0.35 * structure_share + 0.25 * a.specificity
        else:
            base = 0.6 * relevance + 0.4 * a.specificity
        brevity = min(1.0, a.word_count / tune.brevity_words)
        behaviours = [hit.behaviour for hit in behaviour_hits(a.sentences)] if star else []
        penalty = min(tune.mistake_max, tune.behaviour_weight * len(behaviours))
        score = round(10.0 * base * brevity * (1 - penalty), 1)
        suggestions = [b.advice for b in behaviours]
        suggestions += self._structure_suggestions(a.structure, a.specificity, star=star)
        if relevance < 0.5:
            suggestions.insert(0, "Your answer drifted from the question; restate what was asked and answer that first.")
        if not suggestions:
            suggestions.append("Good answer. To make it stronger, close with one sentence that sums up the trade-off.")
        return Evaluation(
            score=min(10.0, max(0.0, score)), key_points=[], covered=[], missed=[], structure=a.structure,
            specificity=a.specificity, red_flags=[], suggestions=suggestions[:3], question_id=None,
            match_note=match_note, word_count=a.word_count, relevance=round(relevance, 3),
            off_topic=relevance < OFF_TOPIC_BELOW, behaviours=[b.label for b in behaviours],
        )

    # ------------------------------------------------------------ feedback

    @staticmethod
    def _structure_suggestions(structure: dict[str, bool], specificity: float, *, star: bool) -> list[str]:
        out: list[str] = []
        if star and structure:
            gaps = [part for part in star_mod.PARTS if not structure.get(part)]
            if gaps:
                out.append(f"Your story was missing the {_join(gaps)}. Walk through situation, task, action and result.")
            elif not structure.get("measurable_result"):
                out.append("Finish with a measurable result, like time saved, errors avoided or a percentage.")
        if specificity < 0.35:
            out.append("Add concrete details: numbers, sizes, latencies or the actual tools make an answer credible.")
        return out

    def _suggestions(self, question: Question, *, missed: list[int], misconceptions: list[MisconceptionHit],
                     contradicted: list[int], red_flags: list[str], behaviours: list[str], structure: dict[str, bool],
                     specificity: float, star: bool, off_topic: bool, code: CodeResult | None) -> list[str]:
        out: list[str] = []
        if off_topic:
            out.append("Your answer did not address the question. Restate what was asked, then answer that first.")
        if code is not None and code.passed < code.total:
            out.append(f"Your code passed {code.passed} of {code.total} tests. Trace the failing case by hand "
                       "before you resubmit.")
        for hit in misconceptions[:2]:
            out.append(f"Check this claim: {hit.correction}")
        for k in contradicted[:1]:
            out.append(t.contradiction_suggestion(question.key_points[k].text))
        out.extend(behaviours[:2])
        if red_flags:
            out.append(t.red_flag_suggestion(red_flags[0]))
        rubric = [t.is_rubric(kp.text, question.category) for kp in question.key_points]
        if missed:
            out.append(t.missed_point_suggestion(question.key_points[missed[0]].text, rubric=rubric[missed[0]]))
        out.extend(self._structure_suggestions(structure, specificity, star=star))
        for k in missed[1:]:
            out.append(t.missed_point_suggestion(question.key_points[k].text, rubric=rubric[k]))
        if not out:
            out.append("Good answer. To make it stronger, close with one sentence that sums up the trade-off you chose.")
        return list(dict.fromkeys(out))[:3]

    @staticmethod
    def _notes(question: Question, results: list[KeyPointResult], misconceptions: list[MisconceptionHit],
               behaviours: dict[str, tuple[str, str]], *, off_topic: bool, code: CodeResult | None, hints: int,
               hint_penalty: float, corrected: int) -> list[str]:
        notes: list[str] = []
        if off_topic:
            notes.append("The answer did not address this question, so it scores near zero whatever its shape.")
        covered = [r for r in results if r.covered]
        if covered:
            notes.append(f"Right: {len(covered)} of {len(results)} key points, for example: {covered[0].text}")
        for hit in misconceptions:
            notes.append(f"Wrong: you said \"{hit.said.strip()}\" but {_lower_first(hit.correction)}")
        for r in results:
            if r.contradicted and not any(h.key_point == r.id for h in misconceptions):
                notes.append(f"Wrong: a claim contradicted the point that {_lower_first(r.text)}")
        if corrected:
            notes.append("A claim was corrected after the interviewer challenged it.")
        for label, (_advice, sentence) in behaviours.items():
            notes.append(f"Behaviour: {label} (\"{sentence.strip()}\")")
        if code is not None:
            notes.append(f"Code: {code.passed} of {code.total} tests passed"
                         + (f"; first failure: {code.first_failure}" if code.first_failure else "") + ".")
        if hints:
            notes.append(f"{hints} hint{'s' if hints != 1 else ''} used, {hint_penalty:.1f} points off.")
        return notes


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _lower_first(text: str) -> str:
    text = text.strip()
    if len(text) > 1 and (text[1].isupper() or text[1].isdigit()):
        return text
    return text[:1].lower() + text[1:]
