"""A minimal source tree with a Lambda handler that imports one prepai_cli package, for packaging tests."""

from __future__ import annotations

from pathlib import Path


def tiny_repo(root: Path, value: str = "1") -> Path:
    (root / "infra" / "lambdas").mkdir(parents=True, exist_ok=True)
    (root / "infra" / "lambdas" / "handler.py").write_text(
        "def lambda_handler(event, context):\n    from prepai_cli.pkg import mod\n    return mod.VALUE\n")
    (root / "prepai_cli" / "pkg").mkdir(parents=True, exist_ok=True)
    (root / "prepai_cli" / "__init__.py").write_text("")
    (root / "prepai_cli" / "pkg" / "__init__.py").write_text("from . import helper\n")
    (root / "prepai_cli" / "pkg" / "helper.py").write_text("X = 1\n")
    (root / "prepai_cli" / "pkg" / "mod.py").write_text(f"VALUE = {value}\n")
    (root / "prepai_cli" / "unused.py").write_text("import numpy\n")
    return root
