"""Issue 18: what a first-time user hit on the command line, each reproduced through the real `prepai` entry point.

The app's items (1-6 and the app half of 7) are Pilot tests in tests/tui/test_answer_input.py and
tests/tui/test_resume_and_devices.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from prepai_cli.bank import QuestionBank
from prepai_cli.store import SessionStore
from tests.clihelpers import run_prepai
from tests.report.builders import SessionWriter, evaluation

REPO = Path(__file__).resolve().parent.parent
ANSWER = ("When our team disagreed about the database choice, I gathered the latency numbers, weighed the competing "
          "proposals in a written document, and we picked Postgres, which cut our p99 latency by forty percent.")


def one_error_line(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error:"), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def sessions_json(home: Path) -> list[dict]:
    result = run_prepai("sessions", "list", "--all", "--json", home=home)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def answers_file(tmp_path: Path, *answers: str, name: str = "answers.txt") -> Path:
    path = tmp_path / name
    path.write_text("\n\n".join(answers) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def ended_session(store: SessionStore, bank: QuestionBank) -> str:
    question = bank.questions("behavioral")[0]
    writer = SessionWriter(store, "behavioral")
    writer.intro(0)
    writer.question(question, at=10)
    writer.answer(question, ANSWER, at=20, duration=30, evaluation=evaluation(question, [], 3.0))
    writer.closing(60)
    return writer.finish("ended").id


# 7. One set of words for a session's state, and the resume command on every resumable exit.

def test_states_read_the_same_in_lists_and_reports(store: SessionStore, bank: QuestionBank, ended_session: str,
                                                   prepai_home: Path) -> None:
    question = bank.questions("behavioral")[1]
    paused = SessionWriter(store, "behavioral")
    paused.question(question, at=0)
    paused.answer(question, "A first answer.", at=5, duration=5)
    paused_id = paused.finish("abandoned").id
    listed = run_prepai("sessions", "list", home=prepai_home).stdout
    assert re.search(rf"{paused_id}.*paused", listed) and re.search(rf"{ended_session}.*ended", listed)
    assert "abandoned" not in listed and "active" not in listed
    ended_report = run_prepai("report", ended_session, home=prepai_home).stdout
    assert "ended, ended" not in ended_report and re.search(r"· ended \d{4}-\d\d-\d\d", ended_report)
    paused_report = run_prepai("report", paused_id, "--format", "markdown", home=prepai_home).stdout
    assert f"paused (resume with: prepai interview --resume {paused_id})" in paused_report


def test_leaving_the_app_prints_the_resume_command(store: SessionStore, bank: QuestionBank,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """The app's Save & quit returns a paused session; what is printed after the app closes says how to resume."""
    from prepai_cli.commands.interview import _after_interview
    from prepai_cli.config import load_settings

    session = store.create_session("behavioral", "offline", "ada")
    store.set_status(session.id, "abandoned")
    _after_interview(store, bank, load_settings(), session, say_resume=True)
    assert f"Resume with: prepai interview --resume {session.id}" in capsys.readouterr().out
    # An app that closed under a still-"active" session (a crash in the app) leaves it paused, and says so too.
    crashed = store.create_session("behavioral", "offline", "ada")
    _after_interview(store, bank, load_settings(), crashed, say_resume=True)
    assert store.get_session(crashed.id).status == "abandoned"
    assert f"--resume {crashed.id}" in capsys.readouterr().out


# 8-9. Data folders that cannot be used.

@pytest.mark.parametrize("home", ["under-a-file", "/proc/prepai-home"])
def test_an_unusable_prepai_home_is_one_line_naming_it(tmp_path: Path, home: str) -> None:
    if home == "under-a-file":
        (tmp_path / "a-file").write_text("x")
        home = str(tmp_path / "a-file" / "prepai")
    result = run_prepai("sessions", "list", home=Path(home))
    one_error_line(result, f"cannot use {home}", f"PREPAI_HOME={home}")


@pytest.fixture
def read_only_home(prepai_home: Path) -> Iterator[Path]:
    assert run_prepai("sessions", "list", home=prepai_home).returncode == 0  # the database now exists
    db = prepai_home / "sessions.db"
    if os.geteuid() == 0:
        # root ignores permission bits; the immutable attribute binds it like a read-only folder binds a user.
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(prepai_home), str(db)]).returncode:
            pytest.skip("running as root on a file system without chattr +i: cannot make a folder read-only")
        yield prepai_home
        subprocess.run(["chattr", "-i", str(prepai_home), str(db)], check=True)
    else:
        prepai_home.chmod(0o555)
        db.chmod(0o444)
        yield prepai_home
        prepai_home.chmod(0o755)
        db.chmod(0o644)


def test_a_read_only_data_folder_is_not_called_corrupt(read_only_home: Path) -> None:
    line = one_error_line(run_prepai("sessions", "list", home=read_only_home), "read-only", "intact")
    assert "corrupt" not in line and "mv " not in line


# 10-11. Output paths checked before any work.

@pytest.mark.parametrize("target, fragment", [("folder", "is a folder"), ("out.txt", "must end in .wav")])
def test_output_audio_is_checked_before_a_session_exists(prepai_home: Path, tmp_path: Path, target: str,
                                                         fragment: str) -> None:
    path = tmp_path if target == "folder" else tmp_path / target
    answers = answers_file(tmp_path, ANSWER)
    result = run_prepai("interview", "--type", "behavioral", "--answers", str(answers), "--no-tui",
                        "--output-audio", str(path), home=prepai_home)
    one_error_line(result, fragment)
    assert sessions_json(prepai_home) == []


def test_kb_export_onto_a_file_is_one_line(prepai_home: Path, tmp_path: Path) -> None:
    existing = tmp_path / "notes.md"
    existing.write_text("mine")
    one_error_line(run_prepai("kb", "export", str(existing), home=prepai_home), "is a file")
    assert existing.read_text() == "mine"


# 12. No abort at exit.

def test_an_interview_that_ends_at_once_exits_cleanly_every_time(prepai_home: Path) -> None:
    """The evaluator's model loaded on a daemon thread; exiting mid-load aborted in onnxruntime's native threads
    ('terminate called without an active exception', exit 134) in about one run in three."""
    for _ in range(5):
        result = run_prepai("interview", "--type", "behavioral", "--text", "--no-tui", stdin="", home=prepai_home)
        assert result.returncode == 0, result.stderr
        assert "terminate called" not in result.stderr


# 13. Ctrl-C while the program is still starting.

def test_ctrl_c_while_starting_is_one_word_not_a_traceback(prepai_home: Path) -> None:
    env = {**os.environ, "PREPAI_HOME": str(prepai_home)}
    for delay in (0.3, 0.8):
        process = subprocess.Popen([sys.executable, "-m", "prepai_cli", "types"], cwd=REPO, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        assert "Traceback" not in stderr, stderr
        assert process.returncode in (130, 0), stderr  # 0 only if it had already finished
        if process.returncode == 130:
            assert stderr.strip() == "interrupted"


# 14. The candidate's words are never markup.

def test_no_tui_echo_prints_answers_as_typed(prepai_home: Path, tmp_path: Path) -> None:
    typed = "I compare arr[i] with pairs[ch] and print [bold]x[/bold] literally."
    answers = answers_file(tmp_path, typed)
    result = run_prepai("interview", "--type", "google-sde", "--answers", str(answers), "--no-tui", home=prepai_home)
    assert result.returncode == 0, result.stderr
    assert f"You: {typed}" in result.stdout


# 15. A bad setting names where it came from; config set validates.

def test_bad_settings_name_their_source(prepai_home: Path, tmp_path: Path) -> None:
    one_error_line(run_prepai("interview", "--brain", "foo", "--type", "behavioral", "--text", "--no-tui",
                              stdin="", home=prepai_home), "invalid setting brain", "from the --brain flag")
    one_error_line(run_prepai("interview", "--type", "behavioral", "--text", "--no-tui", stdin="", home=prepai_home,
                              env={"PREPAI_AUDIO__SILENCE_MS": "abc"}),
                   "audio.silence_ms", "from environment variable PREPAI_AUDIO__SILENCE_MS")
    one_error_line(run_prepai("config", "set", "speech.stt_model", "huge", home=prepai_home),
                   "invalid value for speech.stt_model", "'huge'")
    prepai_home.mkdir(parents=True, exist_ok=True)
    (prepai_home / "config.toml").write_text('[speech]\nstt_model = "huge"\n')
    line = one_error_line(run_prepai("interview", "--type", "behavioral", "--no-tui", "--input",
                                     str(tmp_path / "a.wav"), home=prepai_home),
                          "speech.stt_model 'huge'", f"from config file {prepai_home / 'config.toml'}")
    assert "--stt-model" not in line
    assert sessions_json(prepai_home) == []


# 16. A cloud brain's missing region is found before a session exists.

def test_bedrock_without_a_region_fails_before_creating_a_session(prepai_home: Path, tmp_path: Path) -> None:
    empty = tmp_path / "aws-config"
    empty.write_text("")
    env = {"AWS_CONFIG_FILE": str(empty), "AWS_SHARED_CREDENTIALS_FILE": str(empty), "AWS_REGION": "",
           "AWS_DEFAULT_REGION": ""}
    result = run_prepai("interview", "--brain", "bedrock", "--type", "behavioral", "--text", "--no-tui", stdin="",
                        home=prepai_home, env=env)
    one_error_line(result, "no AWS region set")
    assert sessions_json(prepai_home) == []


# 17. Three messages that named the wrong problem.

def test_messages_name_the_real_problem(prepai_home: Path, tmp_path: Path) -> None:
    one_error_line(run_prepai("sessions", "list", "--type", "foo", home=prepai_home), "unknown interview type 'foo'")
    one_error_line(run_prepai("code", "run", str(tmp_path), "--problem", "code-valid-brackets", home=prepai_home),
                   "is a directory")
    one_error_line(run_prepai("config", "set", "audio.silence_ms", "-5", home=prepai_home),
                   "audio.silence_ms", "greater than or equal to 200")


# 18. report --output.

def test_report_output_takes_its_format_from_the_extension(ended_session: str, prepai_home: Path,
                                                           tmp_path: Path) -> None:
    page = tmp_path / "r.html"
    result = run_prepai("report", ended_session, "--output", str(page), home=prepai_home)
    assert result.returncode == 0, result.stderr
    assert page.read_text().startswith("<!DOCTYPE html>")
    missing = tmp_path / "nonexistent" / "dir"
    one_error_line(run_prepai("report", ended_session, "--output", str(missing / "r.md"), home=prepai_home),
                   "does not exist")
    assert not missing.parent.exists()


# 19. CVs.

def test_cv_grilling_without_a_cv_says_so(prepai_home: Path, tmp_path: Path) -> None:
    result = run_prepai("interview", "--type", "cv-grilling", "--answers", str(answers_file(tmp_path, ANSWER)),
                        "--no-tui", "--questions", "1", home=prepai_home)
    assert result.returncode == 0, result.stderr
    assert "No CV given" in result.stdout and "--cv" in result.stdout


def test_a_broken_pdf_is_one_line_without_pypdf_warnings(prepai_home: Path, tmp_path: Path) -> None:
    fake = tmp_path / "fake.pdf"
    fake.write_text("not a pdf at all")
    one_error_line(run_prepai("cv", "analyze", str(fake), home=prepai_home), "not a valid PDF")


def test_cv_questions_are_said_without_markdown(tmp_path: Path) -> None:
    from prepai_cli.agent.tools.cv import analyze_file, cv_questions

    cv = tmp_path / "cv.md"
    cv.write_text("# Jane Doe\n\n## Experience\n\n"
                  "### Senior Software Engineer at ParcelPoint GmbH (Berlin: 2021 - present)\n"
                  "- Cut p99 latency of the routing API by 40% by adding a Redis cache\n\n"
                  "### Software Engineer at **Shoply** (2018 - 2021)\n"
                  "- Built the checkout service in Go, handling 2,000 requests per second\n")
    texts = [q.text for q in cv_questions(analyze_file(cv))]
    assert "Walk me through your role as Senior Software Engineer at ParcelPoint GmbH, Berlin:" in texts[0]
    for text in texts:
        assert not re.search(r"[#*`]", text), text
        assert text.count("(") == text.count(")") and text.count('"') % 2 == 0, text


def test_spoken_phrases_lose_markdown_and_open_brackets() -> None:
    from prepai_cli.agent.spoken_text import for_the_ear

    assert for_the_ear("### Senior Software Engineer") == "Senior Software Engineer"
    assert for_the_ear("ParcelPoint GmbH (Berlin") == "ParcelPoint GmbH, Berlin"
    assert for_the_ear("Acme (UK) Ltd") == "Acme (UK) Ltd"
    assert for_the_ear("see [the docs](https://x.y) here)") == "see the docs here"
    assert for_the_ear('- Led "the team') == "Led the team"


# 20. Answers files and empty sessions.

def test_blank_answers_files_are_refused_and_a_bom_is_dropped(prepai_home: Path, tmp_path: Path) -> None:
    for content in ("", "\n\n   \n"):
        blank = tmp_path / "blank.txt"
        blank.write_text(content)
        one_error_line(run_prepai("interview", "--type", "behavioral", "--answers", str(blank), "--no-tui",
                                  home=prepai_home), "has no answers")
    assert sessions_json(prepai_home) == []
    bom = tmp_path / "bom.txt"
    bom.write_bytes("\ufeffMy first answer is about a migration.\n".encode("utf-8"))
    result = run_prepai("interview", "--type", "behavioral", "--answers", str(bom), "--no-tui", "--questions", "1",
                        home=prepai_home)
    assert result.returncode == 0, result.stderr
    [session] = sessions_json(prepai_home)
    turns = json.loads(run_prepai("sessions", "show", session["id"], "--json", home=prepai_home).stdout)["turns"]
    assert [t["text"] for t in turns if t["role"] == "candidate"] == ["My first answer is about a migration."]


def test_sessions_without_answers_are_hidden_unless_asked_for(store: SessionStore, ended_session: str,
                                                              prepai_home: Path) -> None:
    empty = store.create_session("behavioral", "offline", "ada")
    listed = run_prepai("sessions", "list", home=prepai_home).stdout
    assert ended_session in listed and empty.id not in listed
    assert "1 session with no answers hidden (--all lists them)" in listed
    assert empty.id in run_prepai("sessions", "list", "--all", home=prepai_home).stdout
    assert [s["id"] for s in json.loads(run_prepai("sessions", "list", "--json", home=prepai_home).stdout)] == [
        ended_session]


# 21. The terminal report wraps at word boundaries.

def test_terminal_report_wraps_instead_of_cutting_words(ended_session: str, prepai_home: Path) -> None:
    result = run_prepai("report", ended_session, home=prepai_home, env={"COLUMNS": "120"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 120
    body = " ".join(line.strip("│ ").strip() for line in lines)
    assert re.sub(r"\s+", " ", ANSWER) in re.sub(r"\s+", " ", body)


# 23. progress fits a screen and calls nothing recurring from one session.

def test_progress_fits_a_screen(store: SessionStore, bank: QuestionBank, prepai_home: Path) -> None:
    questions = bank.questions("google-sde")
    for n in range(5):
        writer = SessionWriter(store, "google-sde")
        for i, question in enumerate(questions[:3]):
            writer.question(question, at=100 * i)
            writer.answer(question, "My answer.", at=100 * i + 10, duration=20,
                          evaluation=evaluation(question, [question.key_points[0].id], 3.0 + n))
        writer.finish("ended")
    once = SessionWriter(store, "behavioral")
    question = bank.questions("behavioral")[0]
    once.question(question, at=0)
    once.answer(question, "My answer.", at=5, duration=10, evaluation=evaluation(question, [], 2.0))
    once.finish("ended")
    result = run_prepai("progress", home=prepai_home, env={"COLUMNS": "120"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) <= 45, result.stdout
    behavioural = result.stdout[result.stdout.index("behavioral: scores"):]
    assert "recur (" not in behavioural and f"Missed in one session so far: {question.topic}" in behavioural
    assert "Weak areas that recur" in result.stdout.split("behavioral: scores")[0]


def test_progress_time_axis_tells_same_day_sessions_apart() -> None:
    from prepai_cli.commands.progress import tick_labels
    from prepai_cli.report.progress import ProgressPoint

    def point(at: str) -> ProgressPoint:
        return ProgressPoint(session_id=at, created_at=at, status="ended", questions_scored=1, scores={})

    same_day = [point(f"2026-12-01T{h:02d}:15:00+00:00") for h in (9, 11, 14, 18)]
    labels = tick_labels(same_day)
    assert len(set(labels)) == 4 and all(re.fullmatch(r"\d\d:\d\d", label) for label in labels)
    days = tick_labels([point("2026-11-30T09:00:00+00:00"), point("2026-12-01T09:00:00+00:00"),
                        point("2026-12-01T17:00:00+00:00")])
    assert len(set(days)) == 3
    same_minute = tick_labels([point("2026-12-01T09:00:01+00:00"), point("2026-12-01T09:00:30+00:00")])
    assert same_minute == ["#1", "#2"]


# 24. The README's numbers, --version, and help text.

def test_readme_counts_match_the_bank(bank: QuestionBank) -> None:
    readme = (REPO / "README.md").read_text()
    total = sum(len(bank.questions(slug)) for slug in bank.slugs)
    for stated in re.findall(r"(\d+) questions", readme):
        assert int(stated) == total, f"README says {stated} questions; the bank has {total}"
    for stated in re.findall(r"the (\d+) interview types", readme):
        assert int(stated) == len(bank.slugs)


def test_version_and_help_text(prepai_home: Path) -> None:
    import tomllib

    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    result = run_prepai("--version", home=prepai_home)
    assert result.returncode == 0 and result.stdout.strip() == f"prepai {version}"
    report_help = run_prepai("report", "--help", home=prepai_home).stdout
    assert "Usage: prepai report [OPTIONS] SESSION_ID" in report_help
    assert "<bool>" not in report_help and "{session_id}" not in report_help
    for command in (("sessions", "list"), ("sessions", "show"), ("config", "show"), ("evaluate",), ("types",)):
        text = run_prepai(*command, "--help", home=prepai_home).stdout
        json_row = next(line for line in text.splitlines() if "--json" in line)
        assert re.search(r"--json\s+\S", json_row.replace("│", "")), f"{command}: --json has no help: {json_row}"


def test_types_prints_the_bank_total(bank: QuestionBank, prepai_home: Path) -> None:
    total = sum(len(bank.questions(slug)) for slug in bank.slugs)
    out = run_prepai("types", home=prepai_home, env={"COLUMNS": "120"}).stdout
    assert re.search(rf"{len(bank.slugs)} types\s.*questions in the bank\s.*\b{total}\b", out)


# 25. scripts/setup says what it is doing.

def test_setup_shows_each_step(tmp_path: Path) -> None:
    """The real script, with apt, python and pip replaced by stand-ins that print what the real ones print."""
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy(REPO / "scripts" / "setup", repo / "scripts" / "setup")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stubs = {
        "dpkg-query": "#!/bin/sh\necho 'install ok installed'\n",
        "fake-pip": ("#!/bin/sh\necho 'Obtaining file:///repo'\necho 'Collecting numpy>=1.24'\n"
                     "echo '  Using cached numpy.whl'\necho 'Installing collected packages: numpy, prepai'\n"
                     "echo 'Successfully installed numpy prepai'\n"),
        "fake-python": "#!/bin/sh\nexit 0\n",
        "python3": (f"#!/bin/sh\nmkdir -p .venv/bin\ncp {bin_dir}/fake-pip .venv/bin/pip\n"
                    f"cp {bin_dir}/fake-python .venv/bin/python\n"),
    }
    for name, body in stubs.items():
        (bin_dir / name).write_text(body)
        (bin_dir / name).chmod(0o755)
    result = subprocess.run(["bash", str(repo / "scripts" / "setup")], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"})
    assert result.returncode == 0, result.stderr
    steps = [line for line in result.stdout.splitlines() if re.match(r"\[\d/4\]", line)]
    assert [s[:5] for s in steps] == ["[1/4]", "[2/4]", "[3/4]", "[4/4]"], result.stdout
    assert "Collecting numpy" in result.stdout and "Successfully installed" in result.stdout
    assert "Using cached" not in result.stdout  # pip's detail stays in the log
    assert "Collecting numpy" in (repo / ".venv" / "pip-install.log").read_text()
