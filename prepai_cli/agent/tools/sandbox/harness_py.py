"""Runs inside the sandboxed child: loads the candidate's code, then for each test index the parent sends on
the request pipe, calls the function and writes one JSON line to the results pipe. The parent compares
results with the expected values (which never enter the sandbox) and decides the verdict.

Only the standard library is used, and the interpreter runs with -I -S, so nothing from the user's
environment or site-packages leaks in. Every run pays for this file's imports, so it avoids the heavy ones:
the config comes as marshal data and records are encoded with the json package's C string encoder, because
importing `json` (and with it `re` and `enum`) doubled the harness's start-up CPU time; `typing`, as costly,
is only imported by type checkers. The audit hook is a second line of defence that turns an attempt to
spawn, connect or read outside the sandbox into a clear verdict; the OS limits set by the parent are the
real boundary.
"""

from __future__ import annotations

import errno
import io
import marshal
import os
import resource
import signal
import sys
import time

try:
    from _json import encode_basestring_ascii as _quote
except ImportError:  # an interpreter without the C accelerator
    from json import dumps as _quote

# typing.TYPE_CHECKING without importing typing; type checkers take any TYPE_CHECKING as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import FrameType
    from typing import Any

CONFIG = marshal.loads(open(sys.argv[1], "rb").read())
REQUEST_FD = int(sys.argv[2])
RESULTS_FD = int(sys.argv[3])
WORKDIR = os.path.realpath(CONFIG["workdir"])
KEPT = int(CONFIG["kept_output_chars"])
MAX_RESULT_BYTES = 64 * 1024


class SandboxTimeout(BaseException):
    """BaseException so a candidate's `except Exception` cannot swallow it."""


class SandboxViolation(BaseException):
    pass


def _dumps(value: Any) -> str:
    """JSON text of a value `_jsonable` produced (or a record made of them)."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)  # not the value's own repr: IntEnum and friends print names
    if isinstance(value, float):
        return float.__repr__(value)
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, list):
        return "[" + ",".join(_dumps(v) for v in value) + "]"
    return "{" + ",".join(_quote(str(k)) + ":" + _dumps(v) for k, v in value.items()) + "}"


def _emit(record: dict[str, Any]) -> None:
    data = (_dumps(record) + "\n").encode("utf-8")
    view = memoryview(data)
    while view:
        written = os.write(RESULTS_FD, view)
        view = view[written:]


def _requests() -> Any:
    """(test index, nonce) from the parent, one per line, until it closes the pipe."""
    pending = b""
    while True:
        while b"\n" not in pending:
            chunk = os.read(REQUEST_FD, 4096)
            if not chunk:
                return
            pending += chunk
        line, pending = pending.split(b"\n", 1)
        index, nonce = line.decode().split()
        yield int(index), nonce


def _on_timer(signum: int, frame: FrameType | None) -> None:
    raise SandboxTimeout("wall")


def _on_xcpu(signum: int, frame: FrameType | None) -> None:
    raise SandboxTimeout("cpu")


_READ_ROOTS = tuple(
    os.path.realpath(p) + os.sep
    for p in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, WORKDIR}
)
_BLOCKED_EVENTS = {
    "os.fork": "starting a process", "os.forkpty": "starting a process", "os.system": "running a shell",
    "os.exec": "starting a program", "os.posix_spawn": "starting a process", "os.spawn": "starting a process",
    "subprocess.Popen": "starting a process", "pty.spawn": "starting a process",
    "socket.connect": "network access", "socket.bind": "network access", "socket.sendto": "network access",
    "socket.getaddrinfo": "network access", "socket.gethostbyname": "network access",
    "ctypes.dlopen": "loading native code", "ctypes.dlsym": "loading native code",
    "os.kill": "signalling processes", "os.killpg": "signalling processes",
    "os.setuid": "changing user", "sys.remote_exec": "debugging other processes",
}
_ALLOWED_DEVICES = {"/dev/null", "/dev/urandom", "/dev/random", "/dev/zero"}


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _guard_on:
        return
    reason = _BLOCKED_EVENTS.get(event)
    if reason is None and event == "import" and args and str(args[0]).split(".")[0] in ("ctypes", "_ctypes"):
        reason = "loading native code"
    if reason is None and event == "open":
        path, mode = args[0], args[1]
        if isinstance(path, int) or path is None:
            return
        path = os.path.realpath(os.fsdecode(path))
        writing = isinstance(mode, str) and any(c in mode for c in "wax+")
        inside = (path + os.sep).startswith(WORKDIR + os.sep)
        readable = inside or path in _ALLOWED_DEVICES or any((path + os.sep).startswith(r) for r in _READ_ROOTS)
        if (writing and not inside) or not readable:
            reason = f"opening {path}"
    if reason is not None:
        raise SandboxViolation(f"the sandbox blocked {reason}")


_guard_on = False


class _CappedText(io.TextIOBase):
    """Keeps the first KEPT characters; counting the rest keeps a print loop from eating memory."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, text: Any) -> int:
        text = str(text)
        room = KEPT - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def value(self) -> str:
        suffix = f"\n… {self.dropped} more characters" if self.dropped else ""
        return "".join(self.parts) + suffix


def _jsonable(value: Any, depth: int = 0) -> Any:
    if depth > 50:
        return {"__unserialisable__": "nested too deeply"}
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 14_000:
        return {"__unserialisable__": "an integer too large to print"}  # over Python's 4300-digit limit
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else {"__unserialisable__": repr(value)}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        items = [_jsonable(v, depth + 1) for v in value]
        try:
            return sorted(items)
        except TypeError:
            return items
    if isinstance(value, dict):
        return {str(k): _jsonable(v, depth + 1) for k, v in value.items()}
    return {"__unserialisable__": repr(value)[:200]}


def _describe(exc: BaseException) -> str:
    text = str(exc)[:1000]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _limit_cpu(seconds: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = usage.ru_utime + usage.ru_stime
    target = int(used) + 1 + seconds
    if hard != resource.RLIM_INFINITY:
        target = min(target, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (target, hard))


def main() -> None:
    global _guard_on
    # Recursive DFS over an interview-sized grid needs more than the default 1000 frames; since 3.11
    # Python-to-Python calls don't grow the C stack, so this cannot overflow it.
    sys.setrecursionlimit(20000)
    signal.signal(signal.SIGALRM, _on_timer)
    signal.signal(signal.SIGXCPU, _on_xcpu)
    sys.addaudithook(_audit)
    source = open(CONFIG["code_path"], encoding="utf-8").read()
    namespace: dict[str, Any] = {"__name__": "solution", "__builtins__": __builtins__}
    real_stdout, real_stderr = sys.stdout, sys.stderr
    load_out, load_err = _CappedText(), _CappedText()
    sys.stdout, sys.stderr = load_out, load_err
    signal.setitimer(signal.ITIMER_REAL, float(CONFIG["startup_seconds"]))
    try:
        code = compile(source, "solution.py", "exec")
        _guard_on = True
        exec(code, namespace)
    except SyntaxError as exc:
        _emit({"kind": "load", "ok": False, "status": "compile_error",
               "error": f"SyntaxError on line {exc.lineno}: {exc.msg}"})
        return
    except SandboxTimeout:
        _emit({"kind": "load", "ok": False, "status": "timeout", "error": "loading your code took too long"})
        return
    except SandboxViolation as exc:
        _emit({"kind": "load", "ok": False, "status": "sandbox_violation", "error": str(exc)})
        return
    except MemoryError:
        _emit({"kind": "load", "ok": False, "status": "memory_limit", "error": "loading your code ran out of memory"})
        return
    except BaseException as exc:  # noqa: BLE001 - anything the candidate's top level raises is a load failure
        _emit({"kind": "load", "ok": False, "status": "compile_error", "error": f"loading your code raised {_describe(exc)}"})
        return
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        sys.stdout, sys.stderr = real_stdout, real_stderr
    function = namespace.get(CONFIG["function_name"])
    if not callable(function):
        _emit({"kind": "load", "ok": False, "status": "compile_error",
               "error": f"your code does not define a function named {CONFIG['function_name']}"})
        return
    _emit({"kind": "load", "ok": True, "stdout": load_out.value(), "stderr": load_err.value()})

    for index, nonce in _requests():
        # Parsed afresh per test: a solution that mutates its input must not affect the next test.
        args = marshal.loads(CONFIG["tests"][index])
        out, err = _CappedText(), _CappedText()
        record: dict[str, Any] = {"kind": "test", "index": index, "nonce": nonce}
        sys.stdout, sys.stderr = out, err
        _limit_cpu(int(CONFIG["cpu_seconds_per_test"]))
        started = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, float(CONFIG["wall_seconds_per_test"]))
        try:
            result = function(*args)
            signal.setitimer(signal.ITIMER_REAL, 0)
            record["status"] = "returned"
            actual = _jsonable(result)
            size = len(_dumps(actual))
            if size > MAX_RESULT_BYTES:
                record["actual"] = {"__unserialisable__": f"a result of {size} bytes, too large to compare"}
            else:
                record["actual"] = actual
        except SandboxTimeout as exc:
            record["status"] = "timeout"
            record["error"] = "CPU time limit" if str(exc) == "cpu" else "time limit"
        except SandboxViolation as exc:
            record["status"] = "sandbox_violation"
            record["error"] = str(exc)
        except MemoryError:
            record["status"] = "memory_limit"
            record["error"] = "ran out of memory"
        except OSError as exc:
            if exc.errno == errno.EFBIG:
                record["status"] = "sandbox_violation"
                record["error"] = "the sandbox blocked writing a file larger than the limit"
            else:
                record["status"] = "error"
                record["error"] = _describe(exc)
        except RecursionError as exc:
            record["status"] = "error"
            record["error"] = _describe(exc)
        except BaseException as exc:  # noqa: BLE001 - the candidate's exception is the test's outcome
            record["status"] = "error"
            record["error"] = _describe(exc)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            sys.stdout, sys.stderr = real_stdout, real_stderr
        record["time_ms"] = round((time.perf_counter() - started) * 1000, 3)
        record["stdout"] = out.value()
        record["stderr"] = err.value()
        _emit(record)


main()
