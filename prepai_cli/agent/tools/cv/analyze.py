"""Offline CV analysis: sections, roles, skills, experience, gaps, projects and quantified claims."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from prepai_cli.agent.tools.cv.dates import DateRange, find_ranges, months_between
from prepai_cli.agent.tools.cv.models import CVProfile, Claim, Gap, Project, Role, Skill
from prepai_cli.agent.tools.cv.reading import CVReadError
from prepai_cli.agent.tools.cv.skills import SkillEntry, skill_matcher

MIN_GAP_MONTHS = 3

_SECTIONS = {
    "experience": ("experience", "work experience", "professional experience", "employment", "employment history",
                   "work history", "career history", "relevant experience", "industry experience"),
    "education": ("education", "academic background", "qualifications", "education and training"),
    "skills": ("skills", "technical skills", "core skills", "key skills", "technologies", "tech stack",
               "skills and tools", "competencies", "core competencies", "tools", "skills and technologies"),
    "projects": ("projects", "personal projects", "selected projects", "side projects", "key projects",
                 "open source", "open-source contributions", "open source contributions"),
    "summary": ("summary", "profile", "professional summary", "about", "about me", "objective",
                "career objective", "personal statement"),
    "certifications": ("certifications", "certificates", "licenses and certifications", "licences and certifications"),
    "awards": ("awards", "honors", "honours", "achievements", "awards and honors", "awards and honours"),
    "publications": ("publications", "papers", "talks", "publications and talks"),
    "languages": ("languages", "spoken languages"),
    "interests": ("interests", "hobbies", "hobbies and interests"),
    "volunteering": ("volunteering", "volunteer experience", "leadership and activities", "activities"),
}
_HEADING_TO_SECTION = {name: section for section, names in _SECTIONS.items() for name in names}
_BULLET = re.compile(r"^\s*(?:[-•*▪◦●‣∙·]|\d+[.)])\s+")
_TITLE_WORDS = re.compile(
    r"\b(engineer|developer|programmer|architect|manager|lead|director|head|intern|analyst|scientist|consultant|"
    r"designer|administrator|specialist|researcher|officer|vp|president|founder|co-founder|cto|ceo|cio|sre|devops|"
    r"owner|associate|assistant|technician|coordinator|tester|qa|principal|staff|fellow|trainee|apprentice|"
    r"freelancer?|contractor|teacher|lecturer|professor|tutor|support)\b",
    re.IGNORECASE,
)
_PART_SPLIT = re.compile(r"\s*(?:\||,|\s[-–—]\s|\sat\s|\s@\s|\t|\s{3,}|[–—])\s*")
_LOCATION = re.compile(r"^(remote|hybrid|on-?site|[A-Z]{2,3}|usa|uk|u\.s\.|united states|united kingdom)$", re.IGNORECASE)
_METRIC = re.compile(
    r"(?:[$€£]\s?\d[\d,.]*\s?(?:k|m|bn|b|million|billion|thousand)?\b"
    r"|\b\d[\d,.]*\s?(?:%|percent\b|x\b|×|times\b)"
    r"|\b\d[\d,.]*\s?(?:k|m|mm|million|billion|thousand)\+?\s+(?:\w+\s)?(?:users|customers|requests|events|records|"
    r"transactions|downloads|visitors|messages|rows|queries|devices|orders|members|subscribers|calls|jobs|files)\b"
    r"|\b\d[\d,.]*\+?\s+(?:users|customers|requests|engineers|developers|people|clients|services|microservices|"
    r"countries|teams|servers|nodes|stores|orders|downloads|merchants|pipelines|students|reports|tickets|hours|"
    r"stakeholders|repositories|projects|apps|applications|clusters|regions|languages|markets)\b"
    r"|\b\d[\d,.]*\s?(?:ms|milliseconds|seconds|minutes|hours|days|weeks)\b"
    r"|\b\d[\d,.]*\s?(?:kb|mb|gb|tb|pb)\b)",
    re.IGNORECASE,
)


@dataclass
class _Line:
    text: str
    section: str | None
    bullet: bool


def _normalise(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\u2022", "•")
    return [line.rstrip() for line in text.split("\n")]


def _heading(line: str) -> str | None:
    candidate = line.strip().strip("#").strip().rstrip(":").strip().lower().replace("&", "and")
    candidate = re.sub(r"\s+", " ", candidate)
    if not candidate or len(candidate) > 40:
        return None
    return _HEADING_TO_SECTION.get(candidate)


def _lines(text: str) -> tuple[list[_Line], list[str]]:
    lines: list[_Line] = []
    sections: list[str] = []
    current: str | None = None
    for raw in _normalise(text):
        if not raw.strip():
            continue
        section = _heading(raw)
        if section is not None:
            current = section
            if section not in sections:
                sections.append(section)
            continue
        bullet = bool(_BULLET.match(raw))
        lines.append(_Line(text=_BULLET.sub("", raw).strip(), section=current, bullet=bullet))
    return lines, sections


def _split_header(parts_text: str) -> list[str]:
    cleaned = parts_text.strip(" ()[]|,-–—:\t")
    return [p.strip(" ()[]") for p in _PART_SPLIT.split(cleaned) if p and p.strip(" ()[]")]


def _title_and_company(parts: list[str]) -> tuple[str | None, str | None]:
    parts = [p for p in parts if not _LOCATION.match(p)]
    if not parts:
        return None, None
    title = next((p for p in parts if _TITLE_WORDS.search(p)), None)
    if title is None:
        return parts[0], parts[1] if len(parts) > 1 else None
    company = next((p for p in parts if p is not title), None)
    return title, company


def _roles(lines: list[_Line], today: date) -> list[tuple[Role, DateRange]]:
    has_experience = any(line.section == "experience" for line in lines)
    roles: list[tuple[Role, DateRange]] = []
    pending: list[str] = []
    for line in lines:
        in_scope = line.section == "experience" if has_experience else line.section not in ("education", "certifications")
        if not in_scope:
            pending = []
            continue
        ranges = find_ranges(line.text, today)
        if ranges and not line.bullet:
            found = ranges[0]
            remainder = line.text[: found.span[0]] + " | " + line.text[found.span[1]:]
            parts = _split_header(remainder)
            # "Company" on its own line above "Title   dates": borrow the nearest short lines only when needed.
            if len(parts) < 2:
                parts = pending[-(2 - len(parts)):] + parts if pending else parts
            title, company = _title_and_company(parts)
            pending = []
            if title is None:
                continue
            role = Role(
                title=title, company=company, start=found.start, end=None if found.current else found.end,
                current=found.current, months=max(1, months_between(found.start, found.end)),
            )
            roles.append((role, found))
        elif line.bullet or len(line.text.split()) > 8 or line.text.endswith("."):
            pending = []
            if roles:
                roles[-1][0].highlights.append(line.text)
        else:
            pending.append(line.text)
    return roles


def _experience_and_gaps(roles: list[tuple[Role, DateRange]]) -> tuple[float, list[Gap]]:
    spans = sorted(((r.start, r.end, role) for role, r in roles), key=lambda s: (s[0], s[1]))
    merged: list[list] = []  # [start, end, last role, first role]
    for start, end, role in spans:
        if merged and months_between(merged[-1][1], start) <= 1:
            if end > merged[-1][1]:
                merged[-1][1], merged[-1][2] = end, role
        else:
            merged.append([start, end, role, role])
    total_months = sum(max(1, months_between(s, e)) for s, e, _, _ in merged)
    gaps = []
    for before, after in zip(merged, merged[1:]):
        gap = months_between(before[1], after[0]) - 1
        if gap >= MIN_GAP_MONTHS:
            gaps.append(Gap(after_company=before[2].company, before_company=after[3].company,
                            start=before[1], end=after[0], months=gap))
    return round(total_months / 12, 1), gaps


def _projects(lines: list[_Line]) -> list[Project]:
    matcher = skill_matcher()
    projects: list[Project] = []
    for line in (line for line in lines if line.section == "projects"):
        head = re.match(r"^(?P<name>[^:–—|]{2,60}?)\s*(?::|\s[-–—|]\s)\s*(?P<rest>.+)$", line.text)
        starts_new = not line.bullet or head is not None or not projects
        if starts_new and (head is not None or len(line.text.split()) <= 8):
            name = head.group("name") if head else line.text
            description = head.group("rest") if head else ""
            projects.append(Project(name=name.strip(), description=description.strip()))
        elif projects:
            projects[-1].description = (projects[-1].description + " " + line.text).strip()
        else:
            continue
        current = projects[-1]
        for entry in matcher.find(line.text, in_skills_section=False):
            if entry.name not in current.skills:
                current.skills.append(entry.name)
    return projects


def _claims(lines: list[_Line], roles: list[tuple[Role, DateRange]], today: date) -> list[Claim]:
    company_of = {h: role.company for role, _ in roles for h in role.highlights}
    claims: list[Claim] = []
    seen: set[str] = set()
    for line in lines:
        if line.section in ("education", "skills", "languages", "interests"):
            continue
        text = line.text
        if find_ranges(text, today) and not line.bullet:
            continue
        metrics = [m.group(0).strip() for m in _METRIC.finditer(text)]
        if not metrics or text in seen:
            continue
        seen.add(text)
        claims.append(Claim(text=text, metrics=metrics, company=company_of.get(text)))
    return claims


def _skills(lines: list[_Line], has_sections: bool, today: date) -> list[Skill]:
    # Without headings we can't tell a contact line from experience, so every mention counts as use.
    used_sections = ("experience", "projects") if has_sections else (None,)
    matcher = skill_matcher()
    mentions: Counter[SkillEntry] = Counter()
    used: set[SkillEntry] = set()
    listed: set[SkillEntry] = set()
    for line in lines:
        in_skills = line.section == "skills"
        header = not line.bullet and bool(find_ranges(line.text, today))
        for entry in matcher.find(line.text, in_skills_section=in_skills, header=header):
            mentions[entry] += 1
            if in_skills:
                listed.add(entry)
            elif line.section in used_sections:
                used.add(entry)
    ordered = sorted(mentions, key=lambda e: (-mentions[e], e.name))
    return [Skill(name=e.name, category=e.category, mentions=mentions[e], used_in_experience=e in used,
                  listed=e in listed) for e in ordered]


def _name(text: str) -> str | None:
    for raw in _normalise(text):
        line = raw.strip()
        if not line:
            continue
        words = line.split()
        if len(words) <= 5 and not re.search(r"[\d@/|:]", line) and _heading(line) is None \
                and all(w[:1].isalpha() for w in words):
            return line
        return None
    return None


def analyze_text(text: str, today: date | None = None) -> CVProfile:
    today = today or date.today()
    lines, sections = _lines(text)
    roles_with_ranges = _roles(lines, today)
    skills = _skills(lines, has_sections=bool(sections), today=today)
    any_dates = any(find_ranges(line.text, today) for line in lines)
    evidence = (len(sections) >= 1) + any_dates + (len(skills) >= 3)
    if evidence < 2:
        raise CVReadError("this doesn't look like a CV: no sections, date ranges or skills were found")
    years, gaps = _experience_and_gaps(roles_with_ranges)
    roles = [role for role, _ in sorted(roles_with_ranges, key=lambda rr: rr[1].start, reverse=True)]
    return CVProfile(
        name=_name(text), sections=sections, skills=skills, roles=roles,
        companies=list(dict.fromkeys(r.company for r in roles if r.company)),
        titles=list(dict.fromkeys(r.title for r in roles)), years_of_experience=years, gaps=gaps,
        projects=_projects(lines), claims=_claims(lines, roles_with_ranges, today),
        education=[line.text for line in lines if line.section == "education"][:6],
        word_count=len(text.split()),
    )
