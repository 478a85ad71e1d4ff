"""Interviewer brains and the tools they share."""
