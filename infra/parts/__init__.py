"""The template's parts; each returns the resources (and outputs) of one concern."""
