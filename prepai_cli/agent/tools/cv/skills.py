"""Finds known skills in CV text using the curated list in skills.txt."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

Context = Literal["anywhere", "mid-sentence", "skills-section"]


@dataclass(frozen=True)
class SkillEntry:
    name: str
    category: str


@dataclass(frozen=True)
class SkillMatcher:
    pattern: re.Pattern[str]
    by_alias: dict[str, tuple[SkillEntry, Context]]  # lowercased alias -> (skill, where it counts)

    def find(self, line: str, in_skills_section: bool, header: bool = False) -> list[SkillEntry]:
        """`header` marks a role line ("Engineer | Acme Payments | 2020 - 2022"), where capitalised words are
        names, not skills."""
        found: list[SkillEntry] = []
        for match in self.pattern.finditer(line):
            entry, context = self.by_alias[match.group(0).lower()]
            if not in_skills_section and (
                context == "skills-section"
                or (context == "mid-sentence" and (header or not _plausible_mid_sentence(line, match)))
            ):
                continue
            if entry not in found:
                found.append(entry)
        return found


def _plausible_mid_sentence(line: str, match: re.Match[str]) -> bool:
    """An everyday word counts as a skill only when capitalised and not the first word of a sentence."""
    if not match.group(0)[0].isupper():
        return False
    before = line[: match.start()].rstrip()
    return bool(before) and before[-1] not in ".!?:;•*-–—"


def _context(alias: str) -> Context:
    if alias.startswith("!"):
        return "skills-section"
    return "mid-sentence" if alias.startswith("~") else "anywhere"


def parse_skill_list(text: str) -> dict[str, tuple[SkillEntry, Context]]:
    by_alias: dict[str, tuple[SkillEntry, Context]] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3:
            raise ValueError(f"skills.txt line {number}: expected 'name | category | aliases'")
        raw_name, category, aliases = parts
        name = raw_name.lstrip("~!")
        entry = SkillEntry(name=name, category=category)
        for alias in [raw_name, *[a.strip() for a in aliases.split(",") if a.strip()]]:
            key = alias.lstrip("~!").lower()
            # The first entry to claim an alias wins, so the list's order resolves overlaps.
            by_alias.setdefault(key, (entry, _context(alias)))
    return by_alias


@cache
def skill_matcher() -> SkillMatcher:
    text = resources.files(__package__).joinpath("skills.txt").read_text(encoding="utf-8")
    by_alias = parse_skill_list(text)
    alternation = "|".join(re.escape(a) for a in sorted(by_alias, key=len, reverse=True))
    pattern = re.compile(rf"(?<![A-Za-z0-9_])(?:{alternation})(?![A-Za-z0-9_+#])", re.IGNORECASE)
    return SkillMatcher(pattern=pattern, by_alias=by_alias)


def skill_count() -> int:
    return len({entry for entry, _ in skill_matcher().by_alias.values()})
