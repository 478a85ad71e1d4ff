"""What the report and sessions screens share: leaving them."""

from __future__ import annotations

from textual.screen import Screen


class BrowsingScreen(Screen[None]):
    """A screen opened from another one (or at start): `n` starts a new interview, closing goes back or quits."""

    def action_new(self) -> None:
        self.app.call_later(self.app.run_action, "app.new_interview")

    def action_close(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.exit(getattr(self.app, "session", None))
