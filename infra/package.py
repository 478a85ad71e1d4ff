"""Packages the action-group Lambda code as a deterministic zip: same inputs, same bytes, same S3 key.

The zip holds infra/lambdas/ at its root, the prepai_cli modules those files import (found by following imports,
including lazy ones inside functions), the data folders those modules read, and the third-party packages they
import, installed for Lambda's platform. Entries are sorted and carry a fixed timestamp and mode, so an unchanged
tree gives an identical zip, an identical key, and therefore no CloudFormation change on re-deploy.
"""

from __future__ import annotations

import ast
import hashlib
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel

from prepai_cli.errors import PrepAIError

ROOT_PACKAGE = "prepai_cli"
# Data folders at the top of prepai_cli, read through paths rather than imports: included when the module that
# reads them is. (Data inside a sub-package, like bank/data or cv/skills.txt, travels with the package.)
DATA_DIRS: dict[str, str] = {
    "prepai_cli.agent.tools.kb.documents": "prepai_cli/knowledge",
    "prepai_cli.agent.evaluator.embedder": "prepai_cli/models",
    "prepai_cli.agent.tools.cv.skills": "prepai_cli/agent/tools/cv",
    "prepai_cli.agent.tools.sandbox.runner": "prepai_cli/agent/tools/sandbox",
}
# The python3.12 Lambda runtime ships these; bundling them would only pin an older copy.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six"})
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
MAX_UNZIPPED_BYTES = 250 * 1024 * 1024  # Lambda's limit for a function's unzipped code
_SKIP_DIRS = {"__pycache__", ".pytest_cache", "tests"}
_SKIP_SUFFIXES = {".pyc", ".pyo"}


class LambdaArtifact(BaseModel):
    path: Path
    sha256: str
    size: int
    unzipped_size: int
    key: str
    entries: list[str]
    requirements: list[str]  # third-party distributions bundled, pinned to the versions installed here
    unresolved_imports: list[str]  # third-party imports with no installed distribution (optional dependencies)


class Vendorer(Protocol):
    """Installs pinned requirements for the Lambda platform and returns the folder they were installed into."""

    def __call__(self, requirements: list[str]) -> Path | None: ...


def _iter_files(root: Path) -> Iterable[Path]:
    for path in sorted(root.rglob("*")):
        skipped = set(path.relative_to(root).parts) & _SKIP_DIRS or path.suffix in _SKIP_SUFFIXES
        if path.is_file() and not skipped:
            yield path


def _imports(source: Path, module: str, is_package: bool) -> set[str]:
    """Every absolute module name `source` imports, anywhere in the file (lazy imports included)."""
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    package_parts = module.split(".") if is_package else module.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package_parts[: len(package_parts) - node.level + 1]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.add(base)
            # `from pkg import name` may name a submodule; the resolver drops names that are not modules.
            found.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return {name for name in found if name}


class _Closure(BaseModel):
    modules: dict[str, Path]  # prepai_cli module name → source file
    third_party: set[str]


def _module_file(repo: Path, module: str) -> tuple[Path, bool] | None:
    base = repo.joinpath(*module.split("."))
    if (base / "__init__.py").is_file():
        return base / "__init__.py", True
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py"), False
    return None


def _closure(repo: Path, lambda_dir: Path) -> _Closure:
    local = ({p.stem for p in lambda_dir.glob("*.py")}
             | {p.name for p in lambda_dir.iterdir() if (p / "__init__.py").is_file()})
    modules: dict[str, Path] = {}
    third_party: set[str] = set()
    pending: list[tuple[Path, str, bool]] = [
        (path, ".".join(path.relative_to(lambda_dir).with_suffix("").parts), path.name == "__init__.py")
        for path in _iter_files(lambda_dir) if path.suffix == ".py"
    ]
    while pending:
        source, module, is_package = pending.pop()
        for name in sorted(_imports(source, module, is_package)):
            top = name.split(".")[0]
            if top == ROOT_PACKAGE:
                parts = name.split(".")
                # Importing a.b.c runs a/__init__ and a/b/__init__ first: they belong to the closure too.
                for depth in range(1, len(parts) + 1):
                    prefix = ".".join(parts[:depth])
                    if prefix in modules:
                        continue
                    resolved = _module_file(repo, prefix)
                    if resolved is None:
                        break
                    modules[prefix] = resolved[0]
                    pending.append((resolved[0], prefix, resolved[1]))
            elif top not in local and top not in sys.stdlib_module_names and top != "__future__":
                third_party.add(top)
    return _Closure(modules=modules, third_party=third_party)


def _requirements(import_names: set[str]) -> tuple[list[str], list[str]]:
    from importlib import metadata

    by_import = metadata.packages_distributions()
    pinned: set[str] = set()
    unresolved: list[str] = []
    for name in sorted(import_names - RUNTIME_PROVIDED):
        dists = by_import.get(name)
        if not dists:
            unresolved.append(name)
            continue
        for dist in dists:
            pinned.add(f"{dist}=={metadata.version(dist)}")
    return sorted(pinned), unresolved


def _package_data(package_dir: Path) -> Iterable[Path]:
    """Non-Python files of one package: beside its modules and in its sub-folders that are not packages."""
    for path in _iter_files(package_dir):
        rel_parent = path.relative_to(package_dir).parent
        in_subpackage = any((package_dir / Path(*rel_parent.parts[: i + 1]) / "__init__.py").is_file()
                            for i in range(len(rel_parent.parts)))
        if path.suffix != ".py" and not in_subpackage:
            yield path


def _zip_entries(repo: Path, lambda_dir: Path, closure: _Closure, vendored: Path | None) -> dict[str, Path]:
    entries: dict[str, Path] = {}
    if vendored is not None:
        for path in _iter_files(vendored):
            rel = path.relative_to(vendored)
            if rel.parts[0] != "bin":
                entries[rel.as_posix()] = path
    for module, path in closure.modules.items():
        entries[path.relative_to(repo).as_posix()] = path
        if path.name == "__init__.py" and module != ROOT_PACKAGE:
            for data in _package_data(path.parent):
                entries[data.relative_to(repo).as_posix()] = data
        data_dir = DATA_DIRS.get(module)
        if data_dir:
            for data in _iter_files(repo / data_dir):
                entries[data.relative_to(repo).as_posix()] = data
    # The handler files last, so nothing vendored can shadow them.
    for path in _iter_files(lambda_dir):
        entries[path.relative_to(lambda_dir).as_posix()] = path
    return entries


def _write_zip(entries: dict[str, Path], dest: Path) -> int:
    unzipped = 0
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w") as archive:
        for name in sorted(entries):
            data = entries[name].read_bytes()
            unzipped += len(data)
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.create_system = 3  # unix, so the mode below is honoured the same way on every OS
            info.external_attr = (0o100644 & 0xFFFF) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    tmp.replace(dest)
    return unzipped


def build_lambda_zip(repo: Path, dest_dir: Path, vendor: Vendorer) -> LambdaArtifact:
    lambda_dir = repo / "infra" / "lambdas"
    if not any(lambda_dir.glob("*.py")):
        raise PrepAIError(f"no Lambda handler found in {lambda_dir}")
    closure = _closure(repo, lambda_dir)
    requirements, unresolved = _requirements(closure.third_party)
    vendored = vendor(requirements) if requirements else None
    entries = _zip_entries(repo, lambda_dir, closure, vendored)
    staging = dest_dir / "prepai-tools.zip"
    unzipped = _write_zip(entries, staging)
    if unzipped > MAX_UNZIPPED_BYTES:
        raise PrepAIError(f"the Lambda package is {unzipped // 2**20} MB unzipped; Lambda allows 250 MB")
    digest = hashlib.sha256(staging.read_bytes()).hexdigest()
    return LambdaArtifact(
        path=staging, sha256=digest, size=staging.stat().st_size, unzipped_size=unzipped,
        key=f"lambda/prepai-tools-{digest[:20]}.zip", entries=sorted(entries),
        requirements=requirements, unresolved_imports=unresolved,
    )
