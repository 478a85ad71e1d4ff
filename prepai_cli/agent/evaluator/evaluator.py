"""Offline answer evaluation: key-point coverage by meaning, red flags, STAR structure, specificity.

Every comparison is a cosine similarity between MiniLM sentence embeddings. The answer is cut into
units (sentences and pairs of neighbouring sentences); each key point's evidence is its best match
among the units. The thresholds in `Tuning` were measured on tests/data/evaluator_cases.yaml
(strong / vague / fluent-but-wrong answers to real bank questions); bench/evaluator_speed.py
prints the separation they give.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from prepai_cli.agent.answers import is_non_answer
from prepai_cli.agent.evaluator import star as star_mod
from prepai_cli.agent.evaluator import text as t
from prepai_cli.agent.evaluator.embedder import Embedder
from prepai_cli.agent.evaluator.models import Evaluation, KeyPointResult
from prepai_cli.bank.models import Question


@dataclass(frozen=True)
class Tuning:
    """Thresholds and weights, measured on tests/data/evaluator_cases.yaml (see bench/evaluator_speed.py)."""

    # A factual key point is covered when some unit reaches this cosine similarity. Measured per key
    # point: strong answers' best match median 0.72 (p25 0.65), vague answers' median 0.42 (p75 0.52);
    # 0.60-0.62 maximises balanced accuracy (0.90) between the two.
    cover_threshold: float = 0.60
    # Credit ramps linearly over threshold +- width instead of jumping, so near-misses count a little.
    cover_width: float = 0.06
    # Behavioural rubric lines ("Describes how ...") are abstract. Measured, similarity alone does not
    # separate strong from vague stories (balanced accuracy ~0.5 at every threshold: generic answers
    # resemble abstract rubric lines as much as concrete stories do). So the threshold is low and the
    # credit is scaled by how concrete the surrounding story is (numbers, names, tools); a story
    # with no specifics earns at most `rubric_concrete_floor` of a point.
    rubric_threshold: float = 0.36
    rubric_width: float = 0.08
    rubric_concrete_floor: float = 0.35
    # A red flag fires when a single sentence is at least this similar to it (technical / rubric) ...
    red_flag_min: float = 0.55
    red_flag_min_rubric: float = 0.45
    # ... and more similar to it than to every key point by this margin. Similarity alone cannot tell
    # "X is constant time" from "X is not constant time"; the margin against the key point that states
    # the right version can. Measured: strong answers' worst margin +0.05, wrong answers' +0.07 to +0.38.
    red_flag_margin: float = 0.06
    # Rubric key points are as abstract as rubric red flags, so they compete more closely with them.
    red_flag_margin_rubric: float = 0.03
    # Margin at which a red flag costs its full weight.
    red_flag_full: float = 0.20
    # When exactly one of the sentence and the red flag is negated, the sentence probably rejects
    # the mistake ("you can't read from the standby").
    negation_discount: float = 0.08
    # The same tilt for key points: a sentence negated where the key point is not (or the reverse)
    # is weaker evidence for it.
    key_point_negation_discount: float = 0.05
    # Each red flag at full strength removes this share of the score; all together never more than max.
    red_flag_weight: float = 0.35
    red_flag_max: float = 0.75
    # A sentence about a key point (its closest one, at least this similar) that states a contradicting
    # alternative (text.contradicts: O(1) vs O(n), synchronous vs asynchronous ...) counts as a
    # mistake with this strength, like a red flag.
    contradiction_min: float = 0.50
    contradiction_strength: float = 0.7
    # Answers shorter than this many words are scaled down proportionally.
    brevity_words: int = 35
    # STAR part prototypes: a sentence takes the best part's label at or above this similarity.
    star_threshold: float = 0.45
    # evaluate_text: a free question maps to a bank question at or above this similarity. Measured:
    # 13 paraphrases of bank questions scored 0.56-0.88 against their own question (all matched
    # correctly within their type); off-bank questions 0.22-0.42, loosely related ones up to 0.54
    # ("design Twitter" vs the news feed question) and 0.59 ("why work here" vs "why move now").
    match_threshold: float = 0.55
    # Score weights. Behavioural (STAR) answers lean less on key-point coverage because rubric
    # similarity is the weakest signal (see rubric_threshold).
    coverage_weight: float = 0.80
    specificity_weight: float = 0.20
    star_coverage_weight: float = 0.40
    star_structure_weight: float = 0.35
    star_specificity_weight: float = 0.25
    # Structure-only judging (no bank question matched): relevance of the answer to the question text.
    # Measured: answers to their own question 0.33-0.79, to another question 0.07-0.26 (one 0.49).
    relevance_threshold: float = 0.30
    relevance_width: float = 0.08


DEFAULT_TUNING = Tuning()
_CACHE_SIZE = 4096


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


class AnswerEvaluator:
    def __init__(self, embedder: Embedder, tuning: Tuning = DEFAULT_TUNING) -> None:
        self._embedder = embedder
        self._tuning = tuning
        # Key points, red flags and bank question texts repeat across calls; their vectors are kept.
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._prototypes = {name: embedder.encode(list(texts)) for name, texts in star_mod.PROTOTYPES.items()}

    # ------------------------------------------------------------ public

    def evaluate(self, question: Question, answer: str, *, star: bool) -> Evaluation:
        if is_non_answer(answer):
            return self._non_answer(question, answer, star=star, match_note=None)
        analysis = self._analyse(answer, star=star, echo=question.text)
        return self._judge(question, analysis, star=star, match_note=None)

    def evaluate_text(self, question_text: str, answer: str, *, candidates: Sequence[Question],
                      star: bool) -> Evaluation:
        best, similarity = self.match_question(question_text, candidates)
        if best is not None and similarity >= self._tuning.match_threshold:
            note = f"matched to bank question {best.id} (similarity {similarity:.2f})"
            if is_non_answer(answer):
                return self._non_answer(best, answer, star=star, match_note=note)
            return self._judge(best, self._analyse(answer, star=star, echo=best.text), star=star, match_note=note)
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

    def _pair_vectors(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """[pairs, 2, dim]: two wordings of each text (see text.first_person); callers keep the better match."""
        flat = self._vectors([text for pair in pairs for text in pair])  # one model call for all of them
        return flat.reshape(len(pairs), 2, -1)

    # ------------------------------------------------------------ analysis

    def _analyse(self, answer: str, *, star: bool, echo: str) -> _Analysis:
        """`echo` is the question text: its own terms do not count as the answer being specific."""
        sentences = t.sentences(answer)[: t.MAX_SENTENCES]
        units = t.units(sentences)
        vectors = self._unit_vectors(sentences, units)
        word_count = len(t.words(answer))
        structure: dict[str, bool] = {}
        if star:
            # Single-sentence units are the first len(sentences) rows (see text.units).
            sentence_vectors = vectors[: len(sentences)]
            labels = star_mod.part_labels(sentences, sentence_vectors, self._prototypes, self._tuning.star_threshold)
            structure = star_mod.structure(sentences, labels)
        # Concreteness of the story around each unit: a reflective closing sentence after a concrete
        # account counts as concrete, the same sentence in a generic answer does not.
        concrete = np.array([t.concreteness(" ".join(sentences[max(0, u.first - 1) : u.last + 2]), echo)
                             for u in units])
        return _Analysis(sentences, units, vectors, word_count, t.specificity(answer, word_count, echo), structure,
                         concrete)

    def _unit_vectors(self, sentences: list[str], units: list[t.Unit]) -> np.ndarray:
        """Sentence vectors from the model; a pair's vector is the length-weighted mean of its two
        sentences' vectors, renormalised.

        The model mean-pools token vectors, so this is what encoding the pair would give minus the
        attention across the sentence boundary; it halves the encoding work per answer.
        """
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

    def _judge(self, question: Question, a: _Analysis, *, star: bool, match_note: str | None) -> Evaluation:
        tune = self._tuning
        kp_texts = [kp.text for kp in question.key_points]
        rubric = np.array([t.is_rubric(text, question.category) for text in kp_texts], dtype=bool)
        # [key points, units]: each key point's similarity to each unit. Rubric lines also get compared
        # in the candidate's voice (text.first_person); factual key points are compared as written.
        wordings = [(text, t.first_person(text) if r else text) for text, r in zip(kp_texts, rubric)]
        kp_sims = np.einsum("kvd,ud->kvu", self._pair_vectors(wordings), a.vectors).max(axis=1)
        unit_negated = np.array([t.negated(u.text) for u in a.units], dtype=bool)
        kp_negated = np.array([t.negated(text) for text in kp_texts], dtype=bool)
        mismatch = kp_negated[:, None] != unit_negated[None, :]
        kp_sims = kp_sims - tune.key_point_negation_discount * mismatch
        single = np.array([u.first == u.last for u in a.units], dtype=bool)

        # A unit that states a different complexity (or sync/async, singly/doubly ...) than a factual key
        # point it resembles is evidence against that point, not for it.
        contra = np.array([[not rubric[k] and t.contradicts(u.text, kp_texts[k]) for u in a.units]
                           for k in range(len(kp_texts))], dtype=bool).reshape(len(kp_texts), len(a.units))
        # It only counts as a wrong claim about k when the sentence is about k, i.e. k is its closest
        # key point ("expected O(n)" next to a worst-case key point is about the average case).
        about = (kp_sims == kp_sims.max(axis=0, keepdims=True)) if len(kp_texts) else np.zeros_like(contra)
        contradicted = [k for k in range(len(kp_texts))
                        if np.any(contra[k] & about[k] & single & (kp_sims[k] >= tune.contradiction_min))]

        best_kp_per_unit = np.where(contra, -1.0, kp_sims).max(axis=0) if len(kp_texts) else np.zeros(len(a.units))
        rubric_question = question.category in t.RUBRIC_CATEGORIES
        matched_flags, flag_strength, flagged_units = self._red_flags(
            question.red_flags, a, best_kp_per_unit, single=single, rubric=rubric_question,
            min_similarity=tune.red_flag_min_rubric if rubric_question else tune.red_flag_min,
        )

        usable = ~flagged_units
        results: list[KeyPointResult] = []
        credits: list[float] = []
        for k, kp in enumerate(question.key_points):
            sims = np.where(usable & ~contra[k], kp_sims[k], -1.0)
            if rubric[k]:
                weight = tune.rubric_concrete_floor + (1 - tune.rubric_concrete_floor) * a.concrete
                per_unit = _ramp(sims, tune.rubric_threshold, tune.rubric_width) * weight
            else:
                per_unit = _ramp(sims, tune.cover_threshold, tune.cover_width)
            credit = float(per_unit.max()) if len(per_unit) else 0.0
            credits.append(credit)
            best_sim = float(sims.max()) if len(sims) else 0.0
            results.append(KeyPointResult(id=kp.id, text=kp.text, covered=credit >= 0.5,
                                          similarity=round(max(best_sim, 0.0), 3)))

        coverage = float(np.mean(credits)) if credits else 0.0
        if star:
            structure_share = float(np.mean([a.structure[k] for k in star_mod.STRUCTURE_KEYS]))
            base = (tune.star_coverage_weight * coverage + tune.star_structure_weight * structure_share
                    + tune.star_specificity_weight * a.specificity)
        else:
            base = tune.coverage_weight * coverage + tune.specificity_weight * a.specificity
        mistakes = float(sum(flag_strength)) + tune.contradiction_strength * len(contradicted)
        penalty = min(tune.red_flag_max, tune.red_flag_weight * mistakes)
        brevity = min(1.0, a.word_count / tune.brevity_words)
        score = round(10.0 * base * brevity * (1.0 - penalty), 1)

        covered = [r.id for r in results if r.covered]
        # Contradicted points first (the answer got them wrong), then points the bank has a follow-up
        # for (the brain probes those), then the least covered.
        missed_order = sorted(
            (k for k, r in enumerate(results) if not r.covered),
            key=lambda k: (k not in contradicted, question.follow_up_for(results[k].id) is None, credits[k], k),
        )
        missed = [results[k].id for k in missed_order]
        suggestions = self._suggestions(
            missed=[(kp_texts[k], bool(rubric[k])) for k in missed_order if k not in contradicted],
            red_flags=matched_flags, contradicted=[kp_texts[k] for k in contradicted],
            structure=a.structure, specificity=a.specificity, star=star,
        )
        return Evaluation(
            score=min(10.0, max(0.0, score)), key_points=results, covered=covered, missed=missed,
            structure=a.structure, specificity=a.specificity, red_flags=matched_flags, suggestions=suggestions,
            question_id=question.id, match_note=match_note, word_count=a.word_count,
        )

    def _red_flags(self, red_flags: list[str], a: _Analysis, best_kp_per_unit: np.ndarray, *,
                   single: np.ndarray, rubric: bool, min_similarity: float) -> tuple[list[str], list[float], np.ndarray]:
        """Matched red flag texts, their strengths (0-1) and the units that voiced them.

        Only single sentences can voice a red flag: a mistake is one claim, and pairing it with a
        neighbouring sentence blurs it against the key points.
        """
        tune = self._tuning
        flagged_units = np.zeros(len(a.units), dtype=bool)
        if not red_flags or not len(a.units):
            return [], [], flagged_units
        # Red flags are verb-led descriptions ("Sorts the array ..."); the first-person wording
        # ("I sort the array ...") is how a candidate would actually say it.
        wordings = [(flag, t.first_person(flag, rubric=rubric)) for flag in red_flags]
        rf_sims = np.einsum("rvd,ud->rvu", self._pair_vectors(wordings), a.vectors).max(axis=1)
        unit_negated = np.array([t.negated(u.text) for u in a.units])
        matched: list[str] = []
        strengths: list[float] = []
        for j, flag in enumerate(red_flags):
            margin = rf_sims[j] - best_kp_per_unit
            margin = margin - tune.negation_discount * (unit_negated != t.negated(flag))
            # "min heap" cannot voice "uses a max heap ...", whatever the embedding says.
            consistent = np.array([not t.contradicts(u.text, flag) for u in a.units], dtype=bool)
            margin = np.where(single & consistent & (rf_sims[j] >= min_similarity), margin, -1.0)
            if rubric:
                stance = np.array([u.first == u.last and t.stance_matches(flag, u.text) for u in a.units], dtype=bool)
                margin = np.where(stance, tune.red_flag_full, margin)
            evidence = float(margin.max())
            needed = tune.red_flag_margin_rubric if rubric else tune.red_flag_margin
            if evidence >= needed:
                matched.append(flag)
                strengths.append(float(_ramp(evidence, (needed + tune.red_flag_full) / 2,
                                             (tune.red_flag_full - needed) / 2)))
                flagged_units |= margin >= needed
        # A flagged sentence also taints the pairs built from it.
        for i, unit in enumerate(a.units):
            if unit.first != unit.last:
                flagged_units[i] = flagged_units[unit.first] or flagged_units[unit.last]
        return matched, strengths, flagged_units

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
            word_count=len(t.words(answer)),
        )

    def _structure_only(self, question_text: str, answer: str, *, star: bool, match_note: str) -> Evaluation:
        tune = self._tuning
        if is_non_answer(answer):
            structure = {key: False for key in star_mod.STRUCTURE_KEYS} if star else {}
            return Evaluation(
                score=0.0, key_points=[], covered=[], missed=[], structure=structure, specificity=0.0, red_flags=[],
                suggestions=["It's fine not to know everything: say what you do know, then reason out loud."],
                question_id=None, match_note=match_note, word_count=len(t.words(answer)),
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
        score = round(10.0 * base * brevity, 1)
        suggestions = self._suggestions(missed=[], red_flags=[], structure=a.structure,
                                        specificity=a.specificity, star=star)
        if relevance < 0.5:
            suggestions.insert(0, "Your answer drifted from the question; restate what was asked and answer that first.")
        return Evaluation(
            score=min(10.0, max(0.0, score)), key_points=[], covered=[], missed=[], structure=a.structure,
            specificity=a.specificity, red_flags=[], suggestions=suggestions[:3], question_id=None,
            match_note=match_note, word_count=a.word_count,
        )

    # ------------------------------------------------------------ feedback

    @staticmethod
    def _suggestions(*, missed: list[tuple[str, bool]], red_flags: list[str], structure: dict[str, bool],
                     specificity: float, star: bool, contradicted: Sequence[str] = ()) -> list[str]:
        """`missed` holds (key point text, is rubric-style) in priority order."""
        out: list[str] = []
        if red_flags:
            out.append(t.red_flag_suggestion(red_flags[0]))
        if contradicted:
            out.append(t.contradiction_suggestion(contradicted[0]))
        if missed:
            out.append(t.missed_point_suggestion(missed[0][0], rubric=missed[0][1]))
        if star and structure:
            gaps = [part for part in star_mod.PARTS if not structure.get(part)]
            if gaps:
                out.append(f"Your story was missing the {_join(gaps)}. Walk through situation, task, action and result.")
            elif not structure.get("measurable_result"):
                out.append("Finish with a measurable result, like time saved, errors avoided or a percentage.")
        if specificity < 0.35 and len(out) < 3:
            out.append("Add concrete details: numbers, sizes, latencies or the actual tools make an answer credible.")
        for text, rubric in missed[1:]:
            if len(out) >= 3:
                break
            out.append(t.missed_point_suggestion(text, rubric=rubric))
        if not out:
            out.append("Good answer. To make it stronger, close with one sentence that sums up the trade-off you chose.")
        return out[:3]


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
