from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from prepai_cli.bank import load_bank
from prepai_cli.commands.common import console, open_store
from prepai_cli.report.progress import SERIES, ProgressReport, TypeProgress, build_progress

SERIES_NAMES = {"overall": "Overall", "technical": "Technical", "structure": "Structure",
                "specificity": "Specificity", "delivery": "Delivery"}
# Plotext's legend box covers the data on a small plot, so each series gets a fixed colour and the legend is printed
# under the plot; the names are plotext colours and, via their 256-colour numbers, rich styles.
SERIES_COLOURS = {"overall": ("red", 1), "technical": ("blue", 4), "structure": ("green", 2),
                  "specificity": ("magenta", 5), "delivery": ("cyan", 6)}
MARKER = "•"
PLOT_HEIGHT = 16
MAX_PLOT_WIDTH = 100


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
    positions = list(range(1, len(progress.points) + 1))
    figure.ruler("x").ticks(positions, [p.created_at[5:10] for p in progress.points])
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
    table = Table(title=f"{progress.type}: scores per session", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("date")
    table.add_column("session")
    for series in SERIES:
        table.add_column(SERIES_NAMES[series], justify="right")
    for i, p in enumerate(progress.points, start=1):
        table.add_row(str(i), p.created_at[:10], p.session_id + ("" if p.status == "ended" else f" ({p.status})"),
                      *[_score(p.scores.get(s)) for s in SERIES])
    return table


def _trend_lines(progress: TypeProgress) -> list[str]:
    return [
        f"{SERIES_NAMES[t.series]}: {t.first:.1f} → {t.last:.1f} ({t.change:+.1f} over {t.sessions} sessions)"
        for t in progress.trends
    ]


def weak_table(progress: TypeProgress) -> Table:
    table = Table(title="Weak areas that recur (missed key points ≥ 2)", title_justify="left")
    table.add_column("topic")
    table.add_column("misses", justify="right")
    table.add_column("sessions", justify="right")
    table.add_column("avg score", justify="right")
    table.add_column("key points missed")
    for area in progress.weak_areas:
        table.add_row(area.topic, str(area.misses), str(area.sessions), _score(area.mean_score),
                      "\n".join(f"• {t}" for t in area.missed_key_points))
    return table


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
        for line in _trend_lines(progress):
            out.print(line, markup=False)
        if progress.weak_areas:
            out.print(weak_table(progress))
            out.print("Your next interview of this type favours these topics.", markup=False)
        else:
            out.print("No recurring weak areas yet.", markup=False)
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
