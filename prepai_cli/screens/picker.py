"""Choose an interview: the nine types with what each involves, a few settings, Start."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.validation import Integer
from textual.widgets import Button, Footer, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from prepai_cli.tui.services import InterviewSetup, Services

DIFFICULTIES = [("Easy", 1), ("Medium", 2), ("Hard", 3)]


class PickerScreen(Screen[InterviewSetup]):
    DEFAULT_CSS = """
    PickerScreen #title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    PickerScreen #types { width: 34; height: 1fr; }
    PickerScreen #details { width: 1fr; padding: 0 1; }
    PickerScreen #description { height: auto; margin-bottom: 1; }
    PickerScreen .row { height: 1; margin-bottom: 1; }
    PickerScreen .row Label { width: 14; }
    PickerScreen .row Input, PickerScreen .row Select { width: 1fr; }
    PickerScreen #cv-row.-hidden { display: none; }
    PickerScreen #error { color: $error; height: auto; }
    PickerScreen #start { margin-top: 1; }
    """

    BINDINGS = [
        Binding("ctrl+s", "start", "Start"),
        Binding("s", "sessions", "Past sessions"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, services: Services, *, selected: str | None = None) -> None:
        super().__init__()
        self.services = services
        self.selected = selected or services.bank.slugs[0]

    def compose(self) -> ComposeResult:
        yield Static("PrepAI · choose an interview", id="title")
        with Horizontal():
            yield OptionList(*self._options(), id="types")
            with VerticalScroll(id="details"):
                yield Static(id="description")
                with Horizontal(classes="row"):
                    yield Label("Difficulty")
                    yield Select(DIFFICULTIES, value=2, allow_blank=False, compact=True, id="difficulty")
                with Horizontal(classes="row"):
                    yield Label("Questions")
                    yield Input(id="questions", compact=True, type="integer", validators=[Integer(1, 30)])
                with Horizontal(classes="row"):
                    yield Label("Minutes")
                    yield Input(id="minutes", compact=True, type="integer", validators=[Integer(1, 180)])
                with Horizontal(classes="row -hidden", id="cv-row"):
                    yield Label("CV file")
                    yield Input(placeholder="path to your CV (.txt or .md), optional", id="cv", compact=True)
                if self.services.brain_choices:
                    with Horizontal(classes="row"):
                        yield Label("Interviewer")
                        choices = [(self.services.brain_name, self.services.brain_name)]
                        choices += [(c.label, c.name) for c in self.services.brain_choices]
                        yield Select(choices, value=self.services.brain_name, allow_blank=False, compact=True,
                                     id="brain-choice")
                else:
                    yield Static(f"Brain: {self.services.brain_name}", id="brain")
                yield Static(id="error")
                yield Button("Start  (enter / ctrl+s)", id="start", variant="success", compact=True)
        yield Footer()

    def _options(self) -> list[Option]:
        options = []
        for slug in self.services.bank.slugs:
            interview_type = self.services.bank.interview_type(slug)
            prompt = Text(interview_type.title, style="bold")
            prompt.append(f"\n{slug}", style="dim")
            options.append(Option(prompt, id=slug))
        return options

    def on_mount(self) -> None:
        types = self.query_one("#types", OptionList)
        slugs = self.services.bank.slugs
        types.highlighted = slugs.index(self.selected) if self.selected in slugs else 0
        types.focus()
        self._show(self.selected)

    @on(OptionList.OptionHighlighted, "#types")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id:
            self.selected = event.option.id
            self._show(event.option.id)

    @on(OptionList.OptionSelected, "#types")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_start()

    def _show(self, slug: str) -> None:
        bank = self.services.bank
        interview_type = bank.interview_type(slug)
        questions = bank.questions(slug)
        levels = sorted({q.difficulty for q in questions})
        level_names = {1: "easy", 2: "medium", 3: "hard"}
        coding = sum(1 for q in questions if q.coding is not None)
        text = Text()
        text.append(interview_type.title, style="bold")
        text.append(f"\n{interview_type.description.strip()}\n\n")
        text.append(
            f"About {interview_type.default_questions} questions in {interview_type.default_minutes} minutes · "
            f"{len(questions)} in the bank, {'–'.join(level_names[v] for v in (levels[0], levels[-1]))}"
        )
        if coding:
            text.append(f" · {coding} with a code editor and tests")
        if interview_type.star:
            text.append(" · answers are judged on STAR structure")
        self.query_one("#description", Static).update(text)
        self.query_one("#questions", Input).placeholder = str(self.services.default_questions or interview_type.default_questions)
        self.query_one("#minutes", Input).placeholder = str(self.services.default_minutes or interview_type.default_minutes)
        self.query_one("#cv-row").set_class(slug != "cv-grilling", "-hidden")
        self.query_one("#error", Static).update("")

    def _number(self, input_id: str, low: int, high: int) -> int | None:
        raw = self.query_one(f"#{input_id}", Input).value.strip()
        if not raw:
            return None
        value = int(raw) if raw.isdigit() else -1
        if not low <= value <= high:
            raise ValueError(f"{input_id} must be a whole number from {low} to {high}")
        return value

    def action_start(self) -> None:
        try:
            questions = self._number("questions", 1, 30)
            minutes = self._number("minutes", 1, 180)
        except ValueError as exc:
            self.query_one("#error", Static).update(str(exc))
            return
        cv_path = None
        cv_raw = self.query_one("#cv", Input).value.strip()
        if self.selected == "cv-grilling" and cv_raw:
            cv_path = Path(cv_raw).expanduser()
            if not cv_path.is_file():
                self.query_one("#error", Static).update(f"CV file not found: {cv_path}")
                return
        difficulty = self.query_one("#difficulty", Select).value
        brain = self.query_one("#brain-choice", Select).value if self.services.brain_choices else None
        self.dismiss(InterviewSetup(
            type=self.selected, difficulty=int(difficulty) if isinstance(difficulty, int) else None,
            questions=questions, minutes=minutes, cv_path=cv_path,
            brain=brain if isinstance(brain, str) else None,
        ))

    @on(Button.Pressed, "#start")
    def _start_pressed(self) -> None:
        self.action_start()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_start()

    def action_sessions(self) -> None:
        from prepai_cli.screens.sessions import SessionsScreen  # sessions can open the picker's siblings

        self.app.push_screen(SessionsScreen(self.services))

