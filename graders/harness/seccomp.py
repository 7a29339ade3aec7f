"""Child side: a seccomp deny-list installed before any student code runs.

Namespaces, dropped capabilities and no_new_privs already keep a child in; this filter takes
away kernel surface it never needs (and that kernel exploits like): ptrace and cross-process
memory access, keyrings, BPF, perf events, userfaultfd, io_uring, every mount and namespace
call, module and kexec loading, clock setting. `clone` with a namespace flag is refused and
`clone3` reports ENOSYS (its flags cannot be inspected; glibc then falls back to `clone`), and
`socket` makes Unix and netlink sockets only (EAFNOSUPPORT for TCP/IP and the rest). Everything
else (threads, fork, Unix sockets, epoll...) is allowed. x86_64 only: on other machines
`install` does nothing and says so.
"""

from __future__ import annotations

import ctypes
import errno
import os
import struct

AUDIT_ARCH_X86_64 = 0xC000003E
SECCOMP_RET_KILL_PROCESS = 0x80000000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_ALLOW = 0x7FFF0000
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
NAMESPACE_FLAGS = 0x7E020000  # CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET
CLONE, CLONE3 = 56, 435
# Sockets: a child has no network, only the Unix sockets it is handed and makes in pairs. No
# TCP, UDP or other family either, so that nothing it binds (a port, found again by a failing
# bind) outlives it into the next submission on the worker's shared network namespace.
SOCKET, AF_UNIX, AF_NETLINK = 41, 1, 16

DENIED_X86_64 = {
    101: "ptrace", 310: "process_vm_readv", 311: "process_vm_writev", 312: "kcmp",
    248: "add_key", 249: "request_key", 250: "keyctl",
    321: "bpf", 298: "perf_event_open", 323: "userfaultfd",
    425: "io_uring_setup", 426: "io_uring_enter", 427: "io_uring_register",
    165: "mount", 166: "umount2", 155: "pivot_root", 161: "chroot",
    428: "open_tree", 429: "move_mount", 430: "fsopen", 431: "fsconfig", 432: "fsmount",
    433: "fspick", 442: "mount_setattr", 272: "unshare", 308: "setns",
    246: "kexec_load", 320: "kexec_file_load", 175: "init_module", 313: "finit_module",
    176: "delete_module", 169: "reboot", 167: "swapon", 168: "swapoff", 163: "acct",
    164: "settimeofday", 227: "clock_settime", 159: "adjtimex", 305: "clock_adjtime",
    303: "name_to_handle_at", 304: "open_by_handle_at", 103: "syslog", 172: "iopl",
    173: "ioperm", 179: "quotactl", 134: "uselib",
}  # fmt: skip

# Classic BPF opcodes.
LD_W_ABS, JEQ_K, JGE_K, JSET_K, RET_K = 0x20, 0x15, 0x35, 0x45, 0x06


def _instruction(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def program() -> bytes:
    """The filter, as struct sock_filter instructions."""
    denied = sorted(DENIED_X86_64)
    errno_eperm = SECCOMP_RET_ERRNO | errno.EPERM
    code = [
        _instruction(LD_W_ABS, 0, 0, 4),  # arch
        _instruction(JEQ_K, 1, 0, AUDIT_ARCH_X86_64),
        _instruction(RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
        _instruction(LD_W_ABS, 0, 0, 0),  # syscall number
        _instruction(JGE_K, 0, 1, 0x40000000),  # the x32 ABI: never legitimate here
        _instruction(RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
        _instruction(JEQ_K, 0, 1, CLONE3),
        _instruction(RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.ENOSYS),
        _instruction(JEQ_K, 0, 3, CLONE),
        _instruction(LD_W_ABS, 0, 0, 16),  # clone's flags (low 32 bits of args[0])
        _instruction(JSET_K, 0, 1, NAMESPACE_FLAGS),
        _instruction(RET_K, 0, 0, errno_eperm),
    ]
    # After the clone test the accumulator may hold its flags: reload the number.
    code += [
        _instruction(LD_W_ABS, 0, 0, 0),
        # socket(): Unix and netlink sockets only (netlink for glibc's own queries).
        _instruction(JEQ_K, 0, 5, SOCKET),
        _instruction(LD_W_ABS, 0, 0, 16),  # its domain (low 32 bits of args[0])
        _instruction(JEQ_K, 2, 0, AF_UNIX),
        _instruction(JEQ_K, 1, 0, AF_NETLINK),
        _instruction(RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.EAFNOSUPPORT),
        _instruction(RET_K, 0, 0, SECCOMP_RET_ALLOW),
        _instruction(LD_W_ABS, 0, 0, 0),
    ]
    for index, number in enumerate(denied):
        remaining = len(denied) - index - 1
        code.append(_instruction(JEQ_K, remaining + 1, 0, number))
    code.append(_instruction(RET_K, 0, 0, SECCOMP_RET_ALLOW))
    code.append(_instruction(RET_K, 0, 0, errno_eperm))
    return b"".join(code)


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]


def install() -> bool:
    """Install the filter on this process (and its future threads and children).

    Requires no_new_privs. Returns False where the filter does not apply (not x86_64).
    """
    if os.uname().machine != "x86_64":
        return False
    code = program()
    fprog = _Program(len(code) // 8, code)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        number = ctypes.get_errno()
        raise OSError(number, f"seccomp: {os.strerror(number)}")
    return True
