"""Turns a CV profile into interview questions that probe it, in the bank's Question format."""

from __future__ import annotations

import hashlib
import re

from prepai_cli.agent.spoken_text import for_the_ear
from prepai_cli.agent.tools.cv.models import Claim, CVProfile, Gap, Role, Skill
from prepai_cli.bank.models import FollowUp, KeyPoint, Question

MAX_PER_KIND = 4
CV_TYPE = "cv-grilling"

_SKILL_DEPTH = {
    "language": "Explains how the language's runtime or type system shaped the design, such as memory management, concurrency model or typing.",
    "database": "Explains how the data was modelled and indexed, and how queries, transactions or consistency behaved under load.",
    "cloud": "Explains which managed services were used and why, including limits, scaling behaviour and cost.",
    "devops": "Explains how deployments, configuration and failures were handled in practice, not just that the tool was used.",
    "data": "Explains data volumes, partitioning and how failures or late data were handled in the pipeline.",
    "ml": "Explains how the model was trained, evaluated against a baseline and monitored after release.",
    "frontend": "Explains state management, rendering performance and how the interface was tested.",
    "backend": "Explains API design, error handling and how the service behaved under load.",
}
_DEFAULT_DEPTH = "Explains how the tool works underneath well enough to debug it, not only how to use it."


def _slug(text: str, limit: int = 30) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].strip("-")
    return slug or hashlib.sha1(text.encode()).hexdigest()[:8]


def _question(qid: str, topic: str, text: str, difficulty: int, points: list[tuple[str, str]],
              follow_ups: list[tuple[str, str]], hints: list[str], red_flags: list[str]) -> Question:
    return Question(
        id=qid, types=[CV_TYPE], category="cv", difficulty=difficulty, topic=topic, text=text,
        key_points=[KeyPoint(id=i, text=t) for i, t in points],
        follow_ups=[FollowUp(key_point=k, text=t) for k, t in follow_ups], hints=hints, red_flags=red_flags,
    )


def _claim_question(n: int, claim: Claim) -> Question:
    metric = for_the_ear(claim.metrics[0])
    where = f" at {for_the_ear(claim.company)}" if claim.company else ""
    return _question(
        f"cvq-claim-{n}-{_slug(metric)}", f"CV claim: {metric}",
        f"Your CV says{where}: \"{for_the_ear(claim.text)}\" What is behind the figure {metric}: how was it measured, "
        "what was the baseline, and what exactly did you do to get there?",
        2,
        [("measurement", f"Explains how {metric} was measured: the metric, the tool or dashboard, and the time window."),
         ("baseline", "Gives the starting value and the value after the change, so the improvement can be checked."),
         ("own-contribution", "Separates what the candidate personally did from what the team or other changes did."),
         ("mechanism", "Explains the technical change that caused the improvement and why it worked."),
         ("trade-offs", "Mentions costs, risks or side effects of the change and how they were handled.")],
        [("measurement", f"How exactly was {metric} measured, and over what period?"),
         ("own-contribution", "Which part of that result was your own work rather than the team's?")],
        ["Start with the number before the change, then the number after, and how you measured both."],
        ["Cannot say how the number was measured.", "Claims the whole team's result as a personal one."],
    )


def _skill_question(n: int, skill: Skill, profile: CVProfile) -> Question:
    company = next((r.company for r in profile.roles if r.company and any(skill.name.lower() in h.lower() for h in r.highlights)), None)
    where = f" at {for_the_ear(company)}" if company else ""
    return _question(
        f"cvq-skill-{n}-{_slug(skill.name)}", f"CV skill: {skill.name}",
        f"You {'list' if skill.listed else 'mention'} {skill.name} and used it{where}. Tell me about the hardest problem you solved with {skill.name}, "
        "and what you would do differently now.",
        2,
        [("concrete-use", f"Describes a specific piece of work done with {skill.name}, with its context and scale."),
         ("depth", _SKILL_DEPTH.get(skill.category, _DEFAULT_DEPTH)),
         ("alternatives", f"Compares {skill.name} with an alternative and explains why it was the right choice there."),
         ("pitfalls", f"Names a pitfall or failure met with {skill.name} and how it was debugged or avoided.")],
        [("depth", f"Go one level deeper: how does {skill.name} behave under the hood in that situation?"),
         ("pitfalls", f"What went wrong with {skill.name} at some point, and how did you find the cause?")],
        [f"Pick one project where {skill.name} mattered and walk through a decision you made with it."],
        [f"Only describes {skill.name} in buzzwords without a concrete example."],
    )


def _gap_question(n: int, gap: Gap) -> Question:
    between = ""
    if gap.after_company and gap.before_company:
        between = f" between {for_the_ear(gap.after_company)} and {for_the_ear(gap.before_company)}"
    return _question(
        f"cvq-gap-{n}-{gap.start:%Y-%m}", "CV gap",
        f"I see a gap of about {gap.months} months{between}, from {gap.start:%B %Y} to {gap.end:%B %Y}. "
        "What were you doing in that time?",
        1,
        [("honest-reason", "Gives a brief, honest reason for the gap without over-explaining."),
         ("activity", "Describes what was done in that time, such as study, projects, caring or job search."),
         ("relevance", "Connects what was learned or done in the gap to the role."),
         ("readiness", "Shows readiness and motivation for the role now.")],
        [("activity", "What did you work on or learn during those months?")],
        ["A short honest reason followed by what you did and learned works best."],
        ["Becomes defensive or vague about the gap."],
    )


def _role_question(n: int, role: Role) -> Question:
    title = for_the_ear(role.title)
    where = f" at {for_the_ear(role.company)}" if role.company else ""
    return _question(
        f"cvq-role-{n}-{_slug(role.company or role.title)}", f"CV role: {title}",
        f"Walk me through your role as {title}{where}: what you owned, who you worked with, and a result you are proud of.",
        1 if n > 1 else 2,
        [("ownership", "Describes clearly what the candidate owned, with the scope of systems or features."),
         ("collaboration", "Explains the team set-up and how the candidate worked with others."),
         ("decisions", "Gives a technical or product decision the candidate made and why."),
         ("impact", "Names a measurable result of the candidate's work."),
         ("reflection", "Says what was learned or what would be done differently.")],
        [("ownership", "What exactly were you responsible for, as opposed to the wider team?"),
         ("impact", "How did you know your work made a difference there?")],
        ["Use STAR: a sentence of context, what you owned, what you did, and the result."],
        ["Cannot separate personal contribution from the team's."],
    )


def cv_questions(profile: CVProfile) -> list[Question]:
    """Probes each role, quantified claim, skill used in practice and date gap, most recent first."""
    questions = [_role_question(i, r) for i, r in enumerate(profile.roles[:MAX_PER_KIND], 1)]
    questions += [_claim_question(i, c) for i, c in enumerate(profile.claims[:MAX_PER_KIND], 1)]
    questions += [_skill_question(i, s, profile) for i, s in enumerate(profile.strong_skills[:MAX_PER_KIND], 1)]
    questions += [_gap_question(i, g) for i, g in enumerate(profile.gaps[:MAX_PER_KIND], 1)]
    return questions
