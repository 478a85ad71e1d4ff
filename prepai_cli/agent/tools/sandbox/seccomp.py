"""The seccomp filter every sandboxed program runs under, compiled to BPF by libseccomp.

libseccomp (the distribution's library, through the `pyseccomp` ctypes binding) knows each architecture's
syscall numbers and adds the architecture check that stops a program from calling the 32-bit syscall table
to slip past the rules; a hand-written BPF program would have to get all of that right itself.
"""

from __future__ import annotations

import errno
import os
import socket
from functools import cache
from typing import Literal

FilterKind = Literal["namespaces", "no_namespaces"]

CLONE_THREAD = 0x00010000
TIOCSTI = 0x5412
TIOCLINUX = 0x541C

# New processes: the candidate gets threads (node needs them), never a second process that could outlive the
# run. clone3 answers ENOSYS so glibc's pthread_create falls back to clone, where the flags can be checked.
_NO_NEW_PROCESSES = ("fork", "vfork")
# Ways out of the namespaces or into the kernel's riskier corners; none is needed to solve an interview problem.
_DENIED = (
    "ptrace", "process_vm_readv", "process_vm_writev", "bpf", "perf_event_open", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "fsopen", "fsconfig", "fsmount", "fspick",
    "move_mount", "open_tree", "mount_setattr", "name_to_handle_at", "open_by_handle_at",
    "keyctl", "add_key", "request_key", "kexec_load", "kexec_file_load", "init_module", "finit_module",
    "delete_module", "acct", "swapon", "swapoff", "reboot", "syslog", "quotactl",
)
# Without a pid namespace, signals could reach the user's other processes (`kill -9 -1`).
_SIGNALS = ("kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_open", "pidfd_send_signal",
            "pidfd_getfd")


class SeccompUnavailable(Exception):
    pass


def _add(flt: object, action: int, name: str, *args: object) -> None:
    import pyseccomp

    number = pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, name)
    if number < 0:  # not on this architecture (or older than this libseccomp)
        return
    flt.add_rule(action, number, *args)  # type: ignore[attr-defined]


@cache
def filter_program(kind: FilterKind) -> bytes:
    """The BPF program for `kind`: "namespaces" (inside bubblewrap: only AF_UNIX sockets, which the network
    namespace leaves nothing to reach with) or "no_namespaces" (the Landlock fallback: no sockets at all, no
    signals, since nothing else separates the program from the user's processes)."""
    try:
        import pyseccomp
        flt = pyseccomp.SyscallFilter(pyseccomp.ALLOW)
    except (ImportError, RuntimeError, OSError) as exc:
        raise SeccompUnavailable(f"libseccomp is not usable ({exc}); install libseccomp2 and the pyseccomp package") from None
    deny = pyseccomp.ERRNO(errno.EPERM)
    for name in (*_NO_NEW_PROCESSES, *_DENIED):
        _add(flt, deny, name)
    _add(flt, deny, "clone", pyseccomp.Arg(0, pyseccomp.MASKED_EQ, CLONE_THREAD, 0))
    _add(flt, pyseccomp.ERRNO(errno.ENOSYS), "clone3")
    # Typing into the terminal of whoever started PrepAI.
    for request in (TIOCSTI, TIOCLINUX):
        _add(flt, deny, "ioctl", pyseccomp.Arg(1, pyseccomp.MASKED_EQ, 0xFFFFFFFF, request))
    if kind == "namespaces":
        _add(flt, pyseccomp.ERRNO(errno.EAFNOSUPPORT), "socket", pyseccomp.Arg(0, pyseccomp.NE, socket.AF_UNIX))
    else:
        # Landlock does not mediate connect() to filesystem Unix sockets, so there are no sockets at all.
        _add(flt, pyseccomp.ERRNO(errno.EACCES), "socket")
        for name in _SIGNALS:
            _add(flt, deny, name)
    fd = os.memfd_create("prepai-seccomp", os.MFD_CLOEXEC)
    with os.fdopen(fd, "w+b") as buffer:
        flt.export_bpf(buffer)
        buffer.seek(0)
        program = buffer.read()
    if not program or len(program) % 8:
        raise SeccompUnavailable("libseccomp produced no filter")
    return program
