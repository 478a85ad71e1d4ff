"""A one-line microphone level bar; drawn with block characters so it reads without colour (NO_COLOR)."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

_EIGHTHS = " ▏▎▍▌▋▊▉█"


class LevelMeter(Widget):
    DEFAULT_CSS = """
    LevelMeter { height: 1; width: 1fr; }
    """

    level: reactive[float] = reactive(0.0)

    def validate_level(self, value: float) -> float:
        return max(0.0, min(1.0, value))

    def render(self) -> Text:
        width = max(1, self.size.width - 5)
        eighths = round(self.level * width * 8)
        full, rest = divmod(eighths, 8)
        bar = "█" * full + (_EIGHTHS[rest] if rest and full < width else "")
        style = "red" if self.level > 0.85 else ("green" if self.level > 0.05 else "dim")
        text = Text(bar.ljust(width), style=style)
        text.append(f" {round(self.level * 100):3d}", style="dim")
        return text
