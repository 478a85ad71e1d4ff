from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from prepai_cli.agent.tools.cv import CVReadError, analyze_file, analyze_text, cv_questions
from prepai_cli.agent.tools.cv.dates import find_ranges
from prepai_cli.agent.tools.cv.skills import skill_count, skill_matcher
from prepai_cli.bank.models import Question
from tests.tools.docgen import cv_docx, encrypted_pdf, image_only_pdf, text_pdf

TODAY = date(2026, 11, 1)

PDF_CV = """JOHN SMITH
Data Engineer
john@example.com

PROFESSIONAL EXPERIENCE
Data Engineer at Northwind Analytics (06/2019 - present)
* Built Airflow pipelines on GCP moving 3 TB per day into BigQuery.
* Cut report generation time from 6 hours to 20 minutes using Spark.
Contoso Ltd
Analyst    Sep 2016 - Dec 2018
* Automated weekly reporting in Python and SQL for 40 stakeholders.

EDUCATION
MSc Data Science, University of Leeds, 2015 - 2016

TECHNICAL SKILLS
Python, SQL, Spark, Airflow, BigQuery, Docker

PROJECTS
Open Transit Map - real-time bus map built with React and Kafka serving 10k users
""".splitlines()

DOCX_CV = """Priya Raman
## Profile
Frontend engineer focused on accessible, fast web apps.
## Work Experience
Frontend Engineer | Fabrikam | Feb 2022 - Present
- Rebuilt the design system in React and TypeScript, cutting bundle size by 35%.
- Improved Core Web Vitals for 1.2 million monthly visitors.
Web Developer | Tailspin Toys | Jan 2018 - Aug 2021
- Shipped a Vue.js storefront handling $3M in yearly sales.
## Skills
React, TypeScript, JavaScript, Vue.js, CSS, Jest, Cypress
## Education
BSc Software Engineering, 2014 - 2017""".splitlines()


def test_markdown_cv(data_dir: Path) -> None:
    profile = analyze_file(data_dir / "sample_cv.md", today=TODAY)
    assert profile.name == "Jane Doe"
    assert profile.sections == ["summary", "experience", "projects", "skills", "education"]
    assert [(r.title, r.company) for r in profile.roles] == [
        ("Senior Software Engineer", "Acme Payments"), ("Software Engineer", "Globex Corporation"),
        ("Junior Developer", "Initech")]
    assert profile.roles[0].current and profile.roles[0].end is None
    assert profile.years_of_experience == pytest.approx(10.1, abs=0.05)
    assert [(g.start, g.end, g.months) for g in profile.gaps] == [
        (date(2016, 1, 1), date(2017, 3, 1), 13), (date(2020, 6, 1), date(2021, 1, 1), 6)]
    assert profile.gaps[1].after_company == "Globex Corporation" and profile.gaps[1].before_company == "Acme Payments"
    metrics = [m for c in profile.claims for m in c.metrics]
    assert {"40%", "2M events", "500k users", "$12k"} <= set(metrics)
    assert next(c for c in profile.claims if "40%" in c.metrics).company == "Acme Payments"
    assert [p.name for p in profile.projects] == ["Ledger Lite", "Tiny Search"]
    assert "Rust" in profile.projects[0].skills
    names = {s.name for s in profile.skills}
    assert {"Python", "Go", "Kubernetes", "Kafka", "PostgreSQL", "Django", "Terraform"} <= names
    assert not {"Payments", "Search"} & names  # "Acme Payments" is a company, "Tiny Search" a project name
    strong = [s.name for s in profile.strong_skills]
    assert strong[0] == "Python" and "Terraform" not in strong  # listed but never used in a role
    assert profile.education == ["BSc Computer Science, University of Manchester, 2011 - 2015"]


def test_text_pdf_cv(tmp_path: Path) -> None:
    path = tmp_path / "john.pdf"
    path.write_bytes(text_pdf(PDF_CV))
    profile = analyze_file(path, today=TODAY)
    assert {"experience", "education", "skills", "projects"} <= set(profile.sections)
    assert [(r.title, r.company) for r in profile.roles] == [
        ("Data Engineer", "Northwind Analytics"), ("Analyst", "Contoso Ltd")]
    assert profile.roles[0].start == date(2019, 6, 1) and profile.roles[0].current
    assert profile.roles[1].months == 27
    assert [g.months for g in profile.gaps] == [5]
    assert {"3 TB", "6 hours", "20 minutes", "40 stakeholders", "10k users"} <= {m for c in profile.claims for m in c.metrics}
    assert {"Airflow", "BigQuery", "Apache Spark", "Python", "SQL", "Kafka", "React"} <= {s.name for s in profile.skills}
    assert profile.projects[0].name == "Open Transit Map"


def test_multi_page_pdf_is_read_completely(tmp_path: Path) -> None:
    path = tmp_path / "long.pdf"
    path.write_bytes(text_pdf(PDF_CV, lines_per_page=8))
    profile = analyze_file(path, today=TODAY)
    assert len(profile.roles) == 2 and profile.projects


def test_docx_cv_with_headings_and_bullets(tmp_path: Path) -> None:
    path = tmp_path / "priya.docx"
    cv_docx(path, DOCX_CV)
    profile = analyze_file(path, today=TODAY)
    assert profile.name == "Priya Raman"
    assert [(r.title, r.company) for r in profile.roles] == [
        ("Frontend Engineer", "Fabrikam"), ("Web Developer", "Tailspin Toys")]
    assert {"35%", "1.2 million monthly visitors", "$3M"} <= {m for c in profile.claims for m in c.metrics}
    assert [g.months for g in profile.gaps] == [5]


def test_docx_cv_with_roles_in_a_table(tmp_path: Path) -> None:
    path = tmp_path / "table.docx"
    cv_docx(path, DOCX_CV, roles_as_table=True)
    profile = analyze_file(path, today=TODAY)
    assert {r.company for r in profile.roles} >= {"Fabrikam", "Tailspin Toys"}


def test_pdf_with_only_an_owner_password_is_readable(tmp_path: Path) -> None:
    import io

    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(text_pdf(PDF_CV)))
    writer = pypdf.PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.encrypt(user_password="", owner_password="owner-only", algorithm="AES-128")
    path = tmp_path / "restricted.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    assert len(analyze_file(path, today=TODAY).roles) == 2


@pytest.mark.parametrize(("name", "make", "message"), [
    ("locked.pdf", lambda p: p.write_bytes(encrypted_pdf(PDF_CV)), "password-protected"),
    ("scan.pdf", lambda p: p.write_bytes(image_only_pdf()), "no text layer"),
    ("huge.pdf", lambda p: p.open("wb").truncate(50 * 1024 * 1024), "the limit is 10 MB"),
    ("broken.pdf", lambda p: p.write_bytes(b"%PDF-1.4\nthis is not really a pdf"), "cannot read CV PDF"),
    ("broken.docx", lambda p: p.write_bytes(b"PK\x03\x04 not a zip"), "cannot read CV DOCX"),
    ("cv.rtf", lambda p: p.write_text("{\\rtf1 hello}"), "unsupported CV format .rtf"),
    ("empty.txt", lambda p: p.write_text(""), "empty"),
    ("latin1.txt", lambda p: p.write_bytes("Caf\xe9 experience".encode("latin-1")), "not UTF-8"),
    ("recipe.txt", lambda p: p.write_text("Preheat the oven. Mix the flour and sugar, then bake for twenty minutes.\n"
                                          "Serve warm with cream and fresh berries on top."), "doesn't look like a CV"),
])
def test_bad_files_give_one_line_errors(tmp_path: Path, name: str, make, message: str) -> None:
    path = tmp_path / name
    make(path)
    with pytest.raises(CVReadError) as caught:
        analyze_file(path, today=TODAY)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(CVReadError, match="not found"):
        analyze_file(tmp_path / "nope.pdf")
    with pytest.raises(CVReadError, match="not a file"):
        analyze_file(tmp_path)


@pytest.mark.parametrize(("text", "expected"), [
    ("Jan 2020 – Present", (date(2020, 1, 1), True)),
    ("March 2019 to June 2021", (date(2019, 3, 1), False)),
    ("03/2018 - 06/2020", (date(2018, 3, 1), False)),
    ("2016-2019", (date(2016, 1, 1), False)),
    ("2021-04 – current", (date(2021, 4, 1), True)),
    ("Sept. 2015 — Aug. 2017", (date(2015, 9, 1), False)),
])
def test_date_ranges(text: str, expected: tuple[date, bool]) -> None:
    ranges = find_ranges(f"Engineer, Acme, {text}", TODAY)
    assert len(ranges) == 1
    assert (ranges[0].start, ranges[0].current) == expected
    assert ranges[0].end <= date(TODAY.year, TODAY.month, 1)


def test_skill_list_is_curated_and_everyday_words_need_context() -> None:
    assert skill_count() >= 300
    matcher = skill_matcher()
    assert [e.name for e in matcher.find("I go to the gym and express ideas clearly", in_skills_section=False)] == []
    assert {e.name for e in matcher.find("Built services in Go and Express", in_skills_section=False)} == {"Go", "Express"}
    assert {e.name for e in matcher.find("go, python, c++, c#", in_skills_section=True)} == {"Go", "Python", "C++", "C#"}
    assert [e.name for e in matcher.find("Node.js and k8s", in_skills_section=False)] == ["Node.js", "Kubernetes"]


def test_cv_questions_probe_roles_claims_skills_and_gaps(data_dir: Path) -> None:
    profile = analyze_file(data_dir / "sample_cv.md", today=TODAY)
    questions = cv_questions(profile)
    assert all(isinstance(q, Question) for q in questions)
    assert len({q.id for q in questions}) == len(questions)
    assert all(q.id.startswith("cvq-") and q.category == "cv" and q.types == ["cv-grilling"] for q in questions)
    kinds = [q.id.split("-")[1] for q in questions]
    assert kinds.count("role") == 3 and kinds.count("gap") == 2
    assert kinds.count("claim") == 4 and kinds.count("skill") == 4
    claim_q = next(q for q in questions if q.id.startswith("cvq-claim-1"))
    assert "40%" in claim_q.text and claim_q.follow_up_for("measurement") is not None
    gap_q = next(q for q in questions if q.id.startswith("cvq-gap-2"))
    assert "6 months" in gap_q.text and "Globex Corporation and Acme Payments" in gap_q.text
    skill_q = next(q for q in questions if q.id.startswith("cvq-skill-1"))
    assert "Python" in skill_q.text and skill_q.hints


def test_cv_questions_work_with_the_answer_evaluator(data_dir: Path) -> None:
    from prepai_cli.agent.evaluator import AnswerEvaluator, Embedder

    question = cv_questions(analyze_file(data_dir / "sample_cv.md", today=TODAY))[3]
    strong = ("We measured p99 latency in Datadog over two weeks before and after: it went from 500 to 300 "
              "milliseconds. I personally moved the service to Kubernetes and added connection pooling; the trade-off "
              "was more operational complexity.")
    weak = "It was a good project and the team worked hard."
    evaluator = AnswerEvaluator(Embedder())
    assert evaluator.evaluate(question, strong, star=False).score > evaluator.evaluate(question, weak, star=False).score


def test_profile_without_headings_still_parses() -> None:
    text = ("Sam Lee\nBackend Developer, Blue Yonder, 2019 - 2023\nWrote Python and PostgreSQL services for 300 stores.\n"
            "Intern, Red Hat, 2018 - 2019\nBuilt Kubernetes operators in Go.\n")
    profile = analyze_text(text, today=TODAY)
    assert [r.company for r in profile.roles] == ["Blue Yonder", "Red Hat"]
    assert "300 stores" in [m for c in profile.claims for m in c.metrics]
