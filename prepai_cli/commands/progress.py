from __future__ import annotations

import sys
from datetime import datetime

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from prepai_cli.bank import load_bank
from prepai_cli.commands.common import console, open_store
from prepai_cli.domain import status_word
from prepai_cli.report.progress import SERIES, ProgressPoint, ProgressReport, TypeProgress, build_progress

SERIES_NAMES = {"overall": "Overall", "technical": "Technical", "structure": "Structure",
                "specificity": "Specificity", "delivery": "Delivery"}
# Plotext's legend box covers the data on a small plot, so each series gets a fixed colour and the legend is printed
# under the plot; the names are plotext colours and, via their 256-colour numbers, rich styles.
SERIES_COLOURS = {"overall": ("red", 1), "technical": ("blue", 4), "structure": ("green", 2),
                  "specificity": ("magenta", 5), "delivery": ("cyan", 6)}
MARKER = "•"


PLOT_HEIGHT = 14
MAX_PLOT_WIDTH = 100
# A screen's worth: the newest sessions in the table, the weakest topics with their first missed points.
MAX_TABLE_ROWS = 8
MAX_WEAK_TOPICS = 5
MAX_POINTS_PER_TOPIC = 2
MAX_TICKS = 8


def _local(created_at: str) -> datetime:
    return datetime.fromisoformat(created_at).astimezone()


def tick_labels(points: list[ProgressPoint]) -> list[str]:
    """Dates for the x axis, with the time where a date repeats ('12-01 18:34'), or only the time when every
    session was on one day: five sessions on one day are five different labels, not five '12-01'. Sessions within
    the same minute are labelled by number, as in the table."""
    times = [_local(p.created_at) for p in points]
    days = [f"{t:%m-%d}" for t in times]
    if len(set(days)) == 1:
        labels = [f"{t:%H:%M}" for t in times]
    else:
        labels = [f"{t:%m-%d %H:%M}" if days.count(day) > 1 else day for t, day in zip(times, days)]
    if len(set(labels)) < len(labels):  # sessions minutes apart: the table's session numbers tell them apart
        labels = [f"#{i}" for i in range(1, len(points) + 1)]
    return labels


def plot_type(progress: TypeProgress, width: int) -> str:
    """A plotext line chart of every series with data; the x axis is the session number, labelled by date."""
    import plotext as plt  # imported here: only an interactive terminal needs it

    figure = plt.figure
    figure.clear()
    plt.terminal.limit(False, False)
    figure.plot_size(width, PLOT_HEIGHT)
    for series in SERIES:
        xs = [i for i, p in enumerate(progress.points, start=1) if p.scores.get(series) is not None]
        ys = [float(progress.points[i - 1].scores[series] or 0.0) for i in xs]
        if xs:
            marker = plt.colorize(MARKER, SERIES_COLOURS[series][0])
            figure.draw(figure.signal(xs, ys, marker=marker).lines())
    figure.theme("simple")
    figure.ruler("y").lim(0, 10)
    labels = tick_labels(progress.points)
    step = max(1, -(-len(labels) // MAX_TICKS))  # at most MAX_TICKS labels, so they never run into each other
    positions = list(range(1, len(labels) + 1))[::step]
    figure.ruler("x").ticks(positions, labels[::step])
    figure.title(f"{progress.type}: scores per session")
    return figure.build().string()


def plot_legend(progress: TypeProgress) -> Text:
    legend = Text()
    for series in SERIES:
        if any(p.scores.get(series) is not None for p in progress.points):
            legend.append(f" {MARKER} {SERIES_NAMES[series]}  ", style=f"color({SERIES_COLOURS[series][1]})")
    return legend


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def scores_table(progress: TypeProgress) -> Table:
    shown = progress.points[-MAX_TABLE_ROWS:]
    first = len(progress.points) - len(shown) + 1
    table = Table(title=f"{progress.type}: scores per session", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("when", no_wrap=True)
    present = [s for s in SERIES if any(p.scores.get(s) is not None for p in progress.points)]
    for series in present:
        table.add_column(SERIES_NAMES[series], justify="right")
    for i, p in enumerate(shown, start=first):
        when = f"{_local(p.created_at):%Y-%m-%d %H:%M}" + ("" if p.status == "ended" else f" ({status_word(p.status)})")
        table.add_row(str(i), when, *[_score(p.scores.get(s)) for s in present])
    if first > 1:
        table.caption = f"{first - 1} earlier session(s) not shown; --json lists every one"
    return table


def _trend_line(progress: TypeProgress) -> str:
    parts = [f"{SERIES_NAMES[t.series]} {t.first:.1f} → {t.last:.1f} ({t.change:+.1f})" for t in progress.trends]
    sessions = max((t.sessions for t in progress.trends), default=0)
    return f"Over {sessions} sessions: " + ", ".join(parts) if parts else ""


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def weak_lines(progress: TypeProgress) -> list[Text]:
    """Topics missed in two or more sessions, weakest first; one session's misses are named, not called recurring."""
    recurring = [a for a in progress.weak_areas if a.sessions >= 2]
    once = [a.topic for a in progress.weak_areas if a.sessions < 2]
    lines: list[Text] = []
    if recurring:
        lines.append(Text("Weak areas that recur (missed in two or more sessions):", style="bold"))
        for area in recurring[:MAX_WEAK_TOPICS]:
            line = Text(f"• {area.topic}", style="bold")
            line.append(f": {area.misses} key points missed in {area.sessions} sessions, "
                        f"average score {_score(area.mean_score)}", style="")
            lines.append(line)
            points = area.missed_key_points
            for point in points[:MAX_POINTS_PER_TOPIC]:
                lines.append(Text(f"    – {_short(point)}", style="dim"))
            if len(points) > MAX_POINTS_PER_TOPIC:
                lines.append(Text(f"    and {len(points) - MAX_POINTS_PER_TOPIC} more (prepai progress --json)",
                                  style="dim"))
        if len(recurring) > MAX_WEAK_TOPICS:
            lines.append(Text(f"and {len(recurring) - MAX_WEAK_TOPICS} more topics (prepai progress --json)",
                              style="dim"))
    else:
        lines.append(Text("No weak area has recurred across sessions yet.", style=""))
    if once:
        lines.append(Text("Missed in one session so far: " + ", ".join(once) + ".", style=""))
    if progress.weak_areas:
        lines.append(Text("Your next interview of this type asks about these topics first.", style="dim"))
    return lines


def render_progress(report: ProgressReport, out: Console, *, plot: bool) -> None:
    if not report.types:
        out.print("No sessions yet. Start one with `prepai interview --type google-sde`.", markup=False)
        return
    for progress in report.types:
        if not progress.points:
            out.print(f"{progress.type}: no scored sessions yet.", markup=False)
            continue
        if plot and len(progress.points) >= 2:
            # The plot carries its own ANSI colours; rich must pass it through untouched.
            out.print(Text.from_ansi(plot_type(progress, min(out.width, MAX_PLOT_WIDTH))))
            out.print(plot_legend(progress))
        out.print(scores_table(progress))
        trend = _trend_line(progress)
        if trend:
            out.print(trend, markup=False)
        for line in weak_lines(progress):
            out.print(line)
        out.print()


def register(app: typer.Typer) -> None:
    @app.command("progress")
    def progress(
        type: str = typer.Option(None, "--type", "-t", help="Only this interview type."),
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
        plain: bool = typer.Option(False, "--plain", help="Tables only, no plot."),
    ) -> None:
        """Your scores over time per interview type, and the weak areas that keep coming back."""
        store = open_store()
        try:
            report = build_progress(store, load_bank(), type)
        finally:
            store.close()
        if as_json:
            sys.stdout.write(report.model_dump_json(indent=2) + "\n")
            return
        render_progress(report, console, plot=console.is_terminal and not plain)
