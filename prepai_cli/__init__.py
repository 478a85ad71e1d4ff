"""PrepAI: a terminal voice coach for job interviews."""

__version__ = "0.1.0"
