"""What goes into and comes out of a sandboxed run."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Language = Literal["python", "javascript"]
Verdict = Literal[
    "passed", "failed", "timeout", "memory_limit", "crashed", "sandbox_violation", "compile_error",
]
# Per-test outcome as the harness or the parent saw it; "not_run" means the process died before reaching it.
TestStatus = Literal[
    "passed", "failed", "error", "timeout", "memory_limit", "sandbox_violation", "not_run",
]


class TestCase(BaseModel):
    __test__ = False  # not a pytest class, despite the name
    model_config = ConfigDict(frozen=True)

    args: list[Any]
    expected: Any


class Problem(BaseModel):
    """The function to call and the tests it must pass; built from a bank question or a tests file."""

    model_config = ConfigDict(frozen=True)

    function_name: str = Field(pattern=r"^[A-Za-z_$][A-Za-z0-9_$]*$")
    tests: list[TestCase] = Field(min_length=1, max_length=200)
    compare: Literal["exact", "unordered"] = "exact"


class Limits(BaseModel):
    model_config = ConfigDict(frozen=True)

    wall_seconds_per_test: float = Field(default=2.0, gt=0, le=30)
    cpu_seconds_per_test: int = Field(default=2, ge=1, le=30)
    # Startup (interpreter + loading the candidate) gets its own allowance on top of the per-test budgets.
    startup_seconds: float = Field(default=5.0, gt=0, le=60)
    python_memory_mb: int = Field(default=512, ge=64)
    # V8 reserves about 740 MB of address space before running any code on x86-64 Linux (measured with node 20),
    # so node gets a larger address-space cap and its heap is bounded by --max-old-space-size instead.
    node_address_space_mb: int = Field(default=1280, ge=800)
    node_heap_mb: int = Field(default=192, ge=32)
    max_processes_python: int = Field(default=4, ge=1)
    # node runs a handful of threads (V8 platform workers, libuv pool), and threads count as processes.
    max_processes_node: int = Field(default=16, ge=8)
    max_file_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    max_output_bytes: int = Field(default=256 * 1024, ge=1024)
    # How much of each test's captured stdout/stderr is kept in the result.
    kept_output_chars: int = Field(default=2000, ge=100)


class TestResult(BaseModel):
    __test__ = False
    index: int
    status: TestStatus
    passed: bool
    args: list[Any]
    expected: Any
    actual: Any = None
    error: str | None = None
    stdout: str = ""
    stderr: str = ""
    time_ms: float = 0.0


class RunResult(BaseModel):
    verdict: Verdict
    language: Language
    function_name: str
    passed: int
    total: int
    tests: list[TestResult]
    first_failure: str | None = None
    # Problems that are not about one test: a syntax error, a missing function, the process dying.
    message: str | None = None
    stdout: str = ""
    stderr: str = ""
    time_ms: float = 0.0
    isolation: list[str] = Field(default_factory=list)
