"""Reusable pieces of the PrepAI TUI; screens compose them."""
