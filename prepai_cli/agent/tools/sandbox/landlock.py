"""Landlock through its raw syscalls: file access limited to reading the interpreter and the work dir, no TCP,
and (kernel ABI 6+) no signals or abstract sockets out of the sandbox.

The PyPI `landlock` package covers file rules only, and these are three syscalls with fixed structures.
"""

from __future__ import annotations

import ctypes
import os
import platform
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# The same numbers on every architecture (they postdate the per-architecture tables).
_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_WRITE_TREE = sum(1 << bit for bit in range(4, 13))  # remove and make anything
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1
_SCOPE_ABSTRACT_UNIX, _SCOPE_SIGNAL = 1 << 0, 1 << 1
READ_ONLY = EXECUTE | READ_FILE | READ_DIR


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


@cache
def abi_version() -> int:
    """0 when the kernel has no Landlock (or it is disabled at boot)."""
    if platform.system() != "Linux":
        return 0
    version = _libc().syscall(_SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
    return max(int(version), 0)


def _handled_fs(abi: int) -> int:
    rights = EXECUTE | WRITE_FILE | READ_FILE | READ_DIR | _WRITE_TREE
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    if abi >= 5:
        rights |= IOCTL_DEV
    return rights


@dataclass(frozen=True)
class Ruleset:
    fd: int
    abi: int

    def close(self) -> None:
        os.close(self.fd)


def build_ruleset(read_only: Iterable[Path], devices: Iterable[Path], writable: Iterable[Path] = (),
                  listable: Iterable[Path] = ()) -> Ruleset:
    """A ruleset fd for `restrict_self`; everything not listed is denied. Built in the parent (opening
    every path once), applied in the child between fork and exec."""
    abi = abi_version()
    if abi < 1:
        raise OSError("Landlock is not available in this kernel")
    libc = _libc()
    handled = _handled_fs(abi)
    attr = _RulesetAttr(handled_access_fs=handled,
                        handled_access_net=(_NET_BIND_TCP | _NET_CONNECT_TCP) if abi >= 4 else 0,
                        scoped=(_SCOPE_ABSTRACT_UNIX | _SCOPE_SIGNAL) if abi >= 6 else 0)
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    fd = libc.syscall(_SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if fd < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
    ruleset = Ruleset(fd=fd, abi=abi)
    try:
        for path in read_only:
            _allow(libc, fd, path, READ_ONLY)
        for path in listable:
            _allow(libc, fd, path, READ_DIR)
        for path in devices:
            _allow(libc, fd, path, READ_FILE | WRITE_FILE)
        for path in writable:
            _allow(libc, fd, path, handled)
    except BaseException:
        ruleset.close()
        raise
    return ruleset


def _allow(libc: ctypes.CDLL, ruleset_fd: int, path: Path, rights: int) -> None:
    try:
        target = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # absent on this machine: nothing to allow
    try:
        if not stat.S_ISDIR(os.fstat(target).st_mode):
            rights &= _FILE_RIGHTS
        rule = _PathBeneath(allowed_access=rights, parent_fd=target)
        if libc.syscall(_SYS_ADD_RULE, ruleset_fd, _RULE_PATH_BENEATH, ctypes.byref(rule), ctypes.c_uint32(0)) != 0:
            raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
    finally:
        os.close(target)


def restrict_self(libc: ctypes.CDLL, ruleset_fd: int) -> bool:
    """Call in the child after PR_SET_NO_NEW_PRIVS; async-signal-safe enough for a preexec (one syscall)."""
    return libc.syscall(_SYS_RESTRICT_SELF, ruleset_fd, ctypes.c_uint32(0)) == 0
