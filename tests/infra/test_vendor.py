"""The pip vendorer, offline: a local wheel index stands in for PyPI (pip reads PIP_* settings from the
environment, exactly as it would for a user's mirror)."""

from __future__ import annotations

import base64
import hashlib
import shutil
import zipfile
from pathlib import Path

import pytest

from infra.vendor import PipVendorer
from prepai_cli.errors import PrepAIError


def _wheel(folder: Path) -> None:
    files = {
        "fakedep/__init__.py": b"VALUE = 1\n",
        "fakedep-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: fakedep\nVersion: 1.0\n",
        "fakedep-1.0.dist-info/WHEEL":
            b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append("fakedep-1.0.dist-info/RECORD,,")
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(folder / "fakedep-1.0-py3-none-any.whl", "w") as wheel:
        for name, data in files.items():
            wheel.writestr(name, data)
        wheel.writestr("fakedep-1.0.dist-info/RECORD", "\n".join(record) + "\n")


@pytest.fixture
def local_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    index = tmp_path / "wheels"
    _wheel(index)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(index))
    return index


def test_installs_for_lambdas_platform_once_then_reuses_the_cache(local_index: Path, tmp_path: Path) -> None:
    vendor = PipVendorer(tmp_path / "cache")
    target = vendor(["fakedep==1.0"])
    assert target is not None and (target / "fakedep" / "__init__.py").read_text() == "VALUE = 1\n"
    shutil.rmtree(local_index)  # a second call must not need pip (or the network) again
    assert vendor(["fakedep==1.0"]) == target


def test_a_package_pip_cannot_get_is_one_clear_error(local_index: Path, tmp_path: Path) -> None:
    with pytest.raises(PrepAIError, match="^could not fetch the Lambda's packages \\(fakedep==2.0\\): "):
        PipVendorer(tmp_path / "cache")(["fakedep==2.0"])


def test_nothing_to_vendor_is_nothing(tmp_path: Path) -> None:
    assert PipVendorer(tmp_path / "cache")([]) is None
