"""User-facing errors: the CLI prints their message on one line and exits non-zero."""


class PrepAIError(Exception):
    """An error the user can act on; its message is the whole story."""

    exit_code: int = 1
