"""Run a submission's grading child in a sandbox.

With bubblewrap (Debian package ``bubblewrap``) the child gets: no network,
its own PID/IPC/UTS namespaces, a read-only view of only what it needs (the
system's /usr, /etc and libraries, the Python installation, the virtual
environment, the provided library files that ship to students, the probe
modules and the child runner), and a size-limited tmpfs as its working
directory and /tmp.  The judgements, the reference library
(``tinytorch/core/dataloader.py``), ``source/``, gradebooks, other submissions
and home directories are not there at all.

In both modes the child runs with resource limits that hold for all of its
processes together: an address-space limit per process times a process count
of at most ``Limits.processes`` (4 x 1 GiB), CPU seconds, open files, file
size, no core dumps; when the grader runs as root, as an unprivileged user of
its own (one per concurrent child, so a fork bomb in one submission cannot
starve another).  Where bubblewrap cannot run, grading refuses
(``SandboxUnavailable``) unless the caller asks for ``unsandboxed`` (an
instructor grading trusted code); reports then say ``isolation: none``.
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
import tempfile
from pathlib import Path

from grader import paths
from grader.limits import BUBBLEWRAP_CHECK_SECONDS, MAX_SANDBOX_UIDS, SANDBOX_UID_BASE
from grader.limits import ChildLimits as Limits

LOCK_DIR = Path("/run/lock") if Path("/run/lock").is_dir() else Path("/tmp")


INSTALL_HINT = ("install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap), or pass --unsandboxed "
                "to grade trusted code without isolation")


class SandboxUnavailable(RuntimeError):
    """Bubblewrap cannot run here and unsandboxed grading was not asked for."""


@contextlib.contextmanager
def _sandbox_uid():
    """Hold one sandbox uid for as long as the block runs, machine-wide: a
    lock file per uid, so two grader processes never share (or kill) a uid.

    Raises:
        RuntimeError: if all MAX_SANDBOX_UIDS uids are busy.
    """
    for slot in range(MAX_SANDBOX_UIDS):
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
    raise RuntimeError(f"all {MAX_SANDBOX_UIDS} sandbox uids are in use")


# What the child may read of this repository: the child runner, the probes and
# the provided library files that ship to students.  Never the judgements,
# the reference library or source/.
SANDBOX_FILES = ("grader/__init__.py", "grader/grading/__init__.py", "grader/grading/child.py",
                 "grader/grading/student_code.py",
                 "tinytorch/__init__.py", "tinytorch/core/__init__.py", "tinytorch/core/tensor.py",
                 "tinytorch/export.py",
                 "grading_suite/__init__.py", "grading_suite/public/__init__.py",
                 "grading_suite/public/observe.py", "grading_suite/public/probes",
                 "grading_suite/hidden/__init__.py", "grading_suite/hidden/probes")


def _readable_roots() -> list[Path]:
    """Host paths the child must read (each bound read-only at the same place)."""
    roots = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), Path(sys.prefix)}
    roots |= {paths.ROOT / name for name in SANDBOX_FILES}
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


def bwrap_command(argv: list[str], limits: Limits = Limits()) -> list[str]:
    """The bubblewrap command line that runs ``argv`` in the sandbox.

    As root, bubblewrap builds the namespaces without a user namespace and the
    child itself drops to its unprivileged uid (so the kernel counts its
    processes against that uid); otherwise bubblewrap runs unprivileged in a
    user namespace.  The working directory ``/scratch`` and ``/tmp`` are
    tmpfs of ``limits.scratch_bytes`` each, writable by the sandbox user.
    """
    if os.geteuid() == 0:
        namespaces = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    else:
        namespaces = ["--unshare-all"]
    size = str(limits.scratch_bytes)
    # --as-pid-1: the child runner is the namespace's init, which the kernel protects from
    # signals sent inside the namespace (a submission killing its parent changes nothing).
    command = ["bwrap", *namespaces, "--as-pid-1", "--die-with-parent", "--new-session",
               "--proc", "/proc", "--dev", "/dev", *_system_binds(),
               "--perms", "1777", "--size", size, "--tmpfs", "/tmp",
               "--perms", "1777", "--size", size, "--tmpfs", "/scratch"]
    roots = [root for root in _readable_roots() if root.exists()]
    parents = sorted({parent for root in roots for parent in root.parents if parent != Path("/")},
                     key=lambda p: len(p.parts))
    for parent in parents:  # mount points bubblewrap would otherwise create as 0700 (root only)
        command += ["--perms", "0755", "--dir", str(parent)]
    for root in roots:
        command += ["--ro-bind", str(root), str(root)]
    command += ["--chdir", "/scratch", "--clearenv",
                "--setenv", "PATH", f"{Path(sys.executable).parent}:/usr/bin:/bin",
                "--setenv", "HOME", "/scratch", "--setenv", "TMPDIR", "/tmp",
                *_common_environment(), "--"]
    return command + argv


def _common_environment() -> list[str]:
    pairs = {"PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1", "PYTHONSAFEPATH": "1",
             "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    return [item for key, value in pairs.items() for item in ("--setenv", key, value)]


@functools.lru_cache(maxsize=1)
def bubblewrap_problem() -> str | None:
    """None if bubblewrap can run a sandbox here, else why not."""
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    probe = bwrap_command(["/bin/true"])
    try:
        result = subprocess.run(probe, capture_output=True, text=True, timeout=BUBBLEWRAP_CHECK_SECONDS)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bubblewrap could not start: {error}"
    if result.returncode != 0:
        return f"bubblewrap could not start: {' '.join(result.stderr.split())[:200]}"
    return None


def isolation(unsandboxed: bool = False) -> str:
    """"bubblewrap", or "none (--unsandboxed): <why bubblewrap cannot run>".

    Raises:
        SandboxUnavailable: bubblewrap cannot run and ``unsandboxed`` is False;
            the message says why and how to install it.
    """
    problem = bubblewrap_problem()
    if problem is None and not unsandboxed:
        return "bubblewrap"
    if not unsandboxed:
        raise SandboxUnavailable(f"refusing to grade: {problem}; {INSTALL_HINT}")
    return f"none (--unsandboxed){': ' + problem if problem else ''}"


def _limit_child(limits: Limits, count_processes: bool):
    """preexec_fn: a new session and the resource limits (the child drops to
    its uid itself, see grader.grading.child).  The process count is limited only
    when the child gets a uid of its own (it counts every process of a uid)."""
    def apply():
        os.setsid()
        for name, value in ((resource.RLIMIT_CPU, limits.cpu_seconds),
                            (resource.RLIMIT_AS, limits.address_space),
                            (resource.RLIMIT_NOFILE, limits.open_files),
                            (resource.RLIMIT_FSIZE, limits.file_size),
                            (resource.RLIMIT_CORE, 0)):
            resource.setrlimit(name, (value, value))
        if count_processes:
            resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
    return apply


class SandboxedChild:
    """A grading child running ``argv`` in the sandbox, with pipes to its
    standard input and output; a context manager that kills everything it
    started on exit.

    Args:
        argv: the Python command to run (``--uid UID`` is appended as root).
        isolation: what ``isolation()`` returned ("bubblewrap" or "none ...").
        limits: resource limits (default ``Limits()``).
    """

    def __init__(self, argv: list[str], isolation: str, limits: Limits = Limits()):
        self.argv, self.isolation, self.limits = argv, isolation, limits
        self.process: subprocess.Popen | None = None
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> "SandboxedChild":
        sandboxed = self.isolation == "bubblewrap"
        drop_user = os.geteuid() == 0 and (sandboxed or all(
            _others_can_reach(p) for p in (Path(sys.base_prefix), Path(sys.prefix), paths.ROOT)))
        uid = self._stack.enter_context(_sandbox_uid()) if drop_user else None
        self.uid = uid
        argv = [*self.argv, "--uid", str(uid)] if uid is not None else self.argv
        if sandboxed:
            command, cwd, environment = bwrap_command(argv, self.limits), "/", None
        else:
            cwd = self._stack.enter_context(tempfile.TemporaryDirectory(prefix="tinytorch-grade-"))
            if uid is not None:
                os.chown(cwd, uid, uid)
            command, environment = argv, _reduced_environment(Path(cwd))
        self.process = subprocess.Popen(command, cwd=cwd, env=environment, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        preexec_fn=_limit_child(self.limits, uid is not None))
        self._stack.callback(self.kill)
        return self

    def kill(self) -> None:
        """Kill the child and every process it started; close the pipes."""
        if self.process is None:
            return
        _kill_group(self.process)
        if self.uid is not None:
            _kill_user(self.uid)
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                stream.close()

    def __exit__(self, *exc) -> None:
        self._stack.close()


def _others_can_reach(path: Path) -> bool:
    """True if every directory above ``path`` is searchable by other users."""
    return all(os.stat(parent).st_mode & 0o001 for parent in Path(path).resolve().parents)


def _reduced_environment(scratch: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key in ("PATH", "LANG", "LC_ALL")}
    env.update(HOME=str(scratch), TMPDIR=str(scratch))
    pairs = _common_environment()
    env.update(zip(pairs[1::3], pairs[2::3]))
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
