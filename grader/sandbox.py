"""Run a submission's grading child in a sandbox.

With bubblewrap (Debian package ``bubblewrap``) the child gets: no network,
its own PID/IPC/UTS namespaces, a read-only view of only what it needs (the
system's /usr, /etc and libraries, the Python installation, the virtual
environment, and this repository's ``grader/``, ``tinytorch/`` and the grading
suite ``tests/public`` + ``tests/grading``), a private writable scratch
directory, and a private /tmp.  ``source/``, the gradebook, ``submitted/``,
``autograded/`` and the home directory are not there at all.

In both modes the child runs with resource limits (CPU seconds, address space,
open files, processes, file size, no core dumps) and, when the grader runs as
root, as an unprivileged user of its own (one per concurrent job, so a fork
bomb in one submission cannot starve another).  Where bubblewrap is missing or
cannot start, only the limits and a scratch working directory remain; the
result says so (``isolation`` is "reduced"), never silently.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import resource
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from grader import paths

SANDBOX_UID_BASE = 61000  # unprivileged uids used when the grader runs as root
MAX_SLOTS = 256
LOCK_DIR = Path("/run/lock") if Path("/run/lock").is_dir() else Path("/tmp")


@dataclass(frozen=True)
class Limits:
    """Resource limits of one grading child (defaults in brackets)."""

    cpu_seconds: int = 150            # [150] CPU time before SIGXCPU
    address_space: int = 4 << 30      # [4 GiB] virtual memory
    open_files: int = 256             # [256]
    processes: int = 32               # [32] processes and threads of the sandbox user
    file_size: int = 64 << 20         # [64 MiB] largest file it may write


@dataclass
class SandboxRun:
    returncode: int | None
    timed_out: bool
    isolation: str  # "bubblewrap" or "reduced: <why>"


@contextlib.contextmanager
def _sandbox_uid():
    """Hold one sandbox uid for as long as the block runs, machine-wide: a
    lock file per uid, so two grader processes never share (or kill) a uid.

    Raises:
        RuntimeError: if all MAX_SLOTS uids are busy.
    """
    for slot in range(MAX_SLOTS):
        uid = SANDBOX_UID_BASE + slot
        handle = open(LOCK_DIR / f"tinytorch-grader-uid-{uid}.lock", "a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        try:
            yield uid
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()
        return
    raise RuntimeError(f"all {MAX_SLOTS} sandbox uids are in use")


def _readable_roots() -> list[Path]:
    """Host paths the child must read (each bound read-only at the same place)."""
    roots = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), Path(sys.prefix)}
    roots |= {paths.ROOT / "grader", paths.ROOT / "tinytorch", paths.ROOT / "tests" / "public",
              paths.ROOT / "tests" / "grading", paths.ROOT / "tests" / "__init__.py"}
    return sorted(roots)


def _system_binds() -> list[str]:
    args = []
    for name in ("usr", "etc", "bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    return args


def bwrap_command(argv: list[str], scratch: Path) -> list[str]:
    """The bubblewrap command line that runs ``argv`` in the sandbox.

    As root, bubblewrap builds the namespaces without a user namespace and the
    child itself drops to its unprivileged uid (so the kernel counts its
    processes against that uid); otherwise bubblewrap runs unprivileged in a
    user namespace.
    """
    if os.geteuid() == 0:
        namespaces = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    else:
        namespaces = ["--unshare-all"]
    command = ["bwrap", *namespaces, "--die-with-parent", "--new-session",
               "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", *_system_binds()]
    roots = [root for root in _readable_roots() if root.exists()]
    parents = sorted({parent for root in roots for parent in root.parents if parent != Path("/")},
                     key=lambda p: len(p.parts))
    for parent in parents:  # mount points bubblewrap would otherwise create as 0700 (root only)
        command += ["--perms", "0755", "--dir", str(parent)]
    for root in roots:
        command += ["--ro-bind", str(root), str(root)]
    command += ["--bind", str(scratch), "/scratch", "--chdir", "/scratch", "--clearenv",
                "--setenv", "PATH", f"{Path(sys.executable).parent}:/usr/bin:/bin",
                "--setenv", "HOME", "/scratch", "--setenv", "TMPDIR", "/tmp",
                "--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--setenv", "PYTHONNOUSERSITE", "1",
                "--setenv", "OPENBLAS_NUM_THREADS", "1", "--setenv", "OMP_NUM_THREADS", "1",
                "--setenv", "MPLBACKEND", "Agg", "--"]
    return command + argv


@functools.lru_cache(maxsize=1)
def bubblewrap_problem() -> str | None:
    """None if bubblewrap can run a sandbox here, else why not."""
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    probe = bwrap_command(["/bin/true"], Path("/tmp"))
    try:
        result = subprocess.run(probe, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bubblewrap could not start: {error}"
    if result.returncode != 0:
        return f"bubblewrap could not start: {' '.join(result.stderr.split())[:200]}"
    return None


def _limit_child(limits: Limits):
    """preexec_fn: a new session and the resource limits (the child drops to
    its uid itself, see grader.child)."""
    def apply():
        os.setsid()
        for name, value in ((resource.RLIMIT_CPU, limits.cpu_seconds),
                            (resource.RLIMIT_AS, limits.address_space),
                            (resource.RLIMIT_NOFILE, limits.open_files),
                            (resource.RLIMIT_FSIZE, limits.file_size),
                            (resource.RLIMIT_NPROC, limits.processes),
                            (resource.RLIMIT_CORE, 0)):
            resource.setrlimit(name, (value, value))
    return apply


def run(argv: list[str], scratch: Path, timeout: float, limits: Limits = Limits()) -> SandboxRun:
    """Run ``argv`` (a Python command whose files live in ``scratch``) in the
    sandbox; kill everything it started after ``timeout`` seconds.  As root,
    ``--uid UID`` is appended to ``argv``: the child must switch to it."""
    problem = bubblewrap_problem()
    drop_user = os.geteuid() == 0
    if problem is not None and drop_user and not all(
            _others_can_reach(p) for p in (Path(sys.base_prefix), Path(sys.prefix), paths.ROOT)):
        drop_user = False  # outside the sandbox an unprivileged user could not even start Python
        problem += "; the child runs as the grader's user (Python is not readable by other users)"
    with _sandbox_uid() if drop_user else contextlib.nullcontext() as uid:
        if uid is not None:
            os.chown(scratch, uid, uid)
            for item in Path(scratch).iterdir():
                os.chown(item, uid, uid)
        if uid is not None:
            argv = [*argv, "--uid", str(uid)]
        command = bwrap_command(argv, scratch) if problem is None else argv
        environment = None if problem is None else _reduced_environment(scratch)
        process = subprocess.Popen(command, cwd=scratch, env=environment, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   preexec_fn=_limit_child(limits))
        timed_out = False
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        _kill_group(process)
        if uid is not None:
            _kill_user(uid)
        return SandboxRun(None if timed_out else process.returncode, timed_out,
                          "bubblewrap" if problem is None else f"reduced: {problem}")


def _others_can_reach(path: Path) -> bool:
    """True if every directory above ``path`` is searchable by other users."""
    return all(os.stat(parent).st_mode & 0o001 for parent in Path(path).resolve().parents)


def _reduced_environment(scratch: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key in ("PATH", "LANG", "LC_ALL")}
    env.update(HOME=str(scratch), TMPDIR=str(scratch), PYTHONDONTWRITEBYTECODE="1", PYTHONNOUSERSITE="1",
               OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MPLBACKEND="Agg")
    return env


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def _kill_user(uid: int) -> None:
    """Kill every process left running as the sandbox user ``uid`` (root only)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid == uid:
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ProcessLookupError):
            continue
