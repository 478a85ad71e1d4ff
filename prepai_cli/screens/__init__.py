"""Full screens of the PrepAI TUI: picker, interview, report, sessions and the confirmation dialogs."""
