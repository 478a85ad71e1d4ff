from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class Role(BaseModel):
    title: str
    company: str | None = None
    start: date | None = None
    end: date | None = None  # None with `current` means "present"
    current: bool = False
    months: int | None = None
    highlights: list[str] = Field(default_factory=list)


class Gap(BaseModel):
    after_company: str | None
    before_company: str | None
    start: date
    end: date
    months: int


class Claim(BaseModel):
    """A quantified statement ("cut latency by 40%") worth probing."""

    text: str
    metrics: list[str]
    company: str | None = None


class Project(BaseModel):
    name: str
    description: str = ""
    skills: list[str] = Field(default_factory=list)


class Skill(BaseModel):
    name: str
    category: str
    mentions: int
    # Listed in a skills section only, or actually used in roles/projects (stronger evidence).
    used_in_experience: bool
    listed: bool


class CVProfile(BaseModel):
    name: str | None = None
    sections: list[str]
    skills: list[Skill]
    roles: list[Role]
    companies: list[str]
    titles: list[str]
    years_of_experience: float
    gaps: list[Gap]
    projects: list[Project]
    claims: list[Claim]
    education: list[str] = Field(default_factory=list)
    word_count: int

    @property
    def strong_skills(self) -> list[Skill]:
        """Skills the CV shows in use; those also listed in a skills section come first."""
        used = [s for s in self.skills if s.used_in_experience]
        return sorted(used, key=lambda s: (not s.listed, -s.mentions, s.name))

    def summary(self) -> str:
        """A few lines an interviewer (human or LLM) can read before the CV round."""
        lines = []
        if self.roles:
            latest = self.roles[0]
            where = f" at {latest.company}" if latest.company else ""
            lines.append(f"Most recent role: {latest.title}{where}.")
        lines.append(f"About {self.years_of_experience:g} years of experience across {len(self.roles)} roles.")
        if self.strong_skills:
            lines.append("Skills used in practice: " + ", ".join(s.name for s in self.strong_skills[:8]) + ".")
        for claim in self.claims[:3]:
            lines.append(f"Claim: {claim.text}")
        for gap in self.gaps:
            lines.append(f"Gap of {gap.months} months from {gap.start:%b %Y} to {gap.end:%b %Y}.")
        return "\n".join(lines)
