"""Drive JupyterLab the way a student does: a real `jupyter lab` server and a
real Chromium (Debian's package, driven by Playwright; no browser download).

`JupyterLab` starts a server in its own process group with a random token,
private Jupyter config/data/runtime folders and settings that keep JupyterLab
off the network, and stops it with every process it started.  The functions
below act on a Playwright page through the JupyterLab UI only (menus, toolbar
buttons, clicks) and read what the page shows.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

# Debian's chromium package; TINYTORCH_CHROMIUM may name another Chromium/Chrome binary.
CHROMIUM = os.environ.get("TINYTORCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-breakpad",
    "--disable-crash-reporter", "--no-default-browser-check",
]
# Every process the browser tests start carries this variable (value: one id per
# test run), so the clean-up check can find any that outlive the tests.
PROCESS_MARKER = "TINYTORCH_BROWSER_TEST_RUN"

# JupyterLab user settings for the test servers: every cell stays in the page
# (no virtual scrolling, so all outputs can be read) and no news or update check
# reaches the network.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_environment(marker: str) -> dict:
    """The environment of every process the tests start: this interpreter's bin
    first on PATH (nbgrader shells out to `alembic`), the marker, and none of
    the variables that would change what a student's kernel sees."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "TINYTORCH_NOTEBOOK", "TINYTORCH_FIGURES_DIR", "PYTEST_ADDOPTS",
                        "MPLBACKEND", "JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JPY_SESSION_NAME",
                        "TINYTORCH_GRADEBOOK")}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env[PROCESS_MARKER] = marker
    return env


_matplotlib_ready = False


def prepare_matplotlib(env: dict) -> None:
    """Build matplotlib's font cache now, once, if it is missing: a kernel that
    builds it prints "Matplotlib is building the font cache" on stderr, under
    the first cell that plots, which is not what these tests look at."""
    global _matplotlib_ready
    if not _matplotlib_ready:
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, check=True,
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
        _matplotlib_ready = True


def browser_environment(marker: str, home: Path) -> dict:
    """The browser's environment: a private HOME and XDG folders (Chromium writes
    its crash database and dconf cache there, not in the user's home)."""
    env = child_environment(marker)
    for name, folder in (("HOME", "home"), ("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache"),
                         ("XDG_DATA_HOME", "data")):
        (home / folder).mkdir(parents=True, exist_ok=True)
        env[name] = str(home / folder)
    return env


def marked_processes(marker: str) -> list[psutil.Process]:
    """Live processes (not zombies) that carry `marker`, except this one."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.pid == os.getpid() or process.status() == psutil.STATUS_ZOMBIE:
                continue
            if process.environ().get(PROCESS_MARKER) == marker:
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess, OSError):
            continue
    return found


def describe(processes) -> str:
    lines = []
    for process in processes:
        try:
            lines.append(f"pid {process.pid}: {' '.join(process.cmdline())[:200]}")
        except psutil.Error:
            lines.append(f"pid {process.pid}: (gone)")
    return "\n".join(lines)


def stop_processes(processes, timeout: float = 10.0) -> list[psutil.Process]:
    """SIGTERM, then SIGKILL after `timeout`; return those still alive after that."""
    processes = [p for p in processes if p.is_running()]
    for process in processes:
        try:
            process.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    for process in alive:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(alive, timeout=5)
    return alive


class JupyterLab:
    """`jupyter lab` serving `root` on 127.0.0.1, a free port and a random token.

    The server runs in `root` (nbgrader's server extensions read
    `nbgrader_config.py` from the working directory) in a new session, with
    JUPYTER_CONFIG_DIR, JUPYTER_DATA_DIR and JUPYTER_RUNTIME_DIR in `state`, so
    nothing is read from or written to the user's own Jupyter folders.  The
    lab extensions installed in the environment (nbgrader's among them) and
    its server extensions are still found: they live under sys.prefix.
    """

    def __init__(self, root: Path, state: Path, marker: str):
        self.root = Path(root).resolve()
        self.state = Path(state)
        self.marker = marker
        self.token = secrets.token_hex(16)
        self.port = None
        self.process = None
        self.log_path = self.state / "server.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "lab") -> str:
        return f"{self.base_url}/{path}?token={self.token}"

    def start(self, timeout: float = 60.0) -> "JupyterLab":
        env = child_environment(self.marker)
        for name in ("config", "data", "runtime"):
            (self.state / name).mkdir(parents=True, exist_ok=True)
            env[f"JUPYTER_{name.upper()}_DIR"] = str(self.state / name)
        env["IPYTHONDIR"] = str(self.state / "ipython")
        prepare_matplotlib(env)
        settings = self.state / "config" / "lab" / "user-settings"
        for relative, values in LAB_SETTINGS.items():
            (settings / relative).parent.mkdir(parents=True, exist_ok=True)
            (settings / relative).write_text(json.dumps(values))
        for attempt in range(3):  # a free port can be taken before the server binds it
            self.port = free_port()
            command = [
                sys.executable, "-m", "jupyterlab", "--no-browser",
                "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
                "--ServerApp.terminals_enabled=False", "--LabApp.extension_manager=readonly",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            ]
            if os.geteuid() == 0:
                command.append("--allow-root")
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(command, cwd=self.root, env=env, stdout=log,
                                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                                start_new_session=True)
            if self._wait_ready(timeout):
                return self
            self.stop()
        raise RuntimeError(f"jupyter lab did not start; last lines of its log:\n{self.log_tail()}")

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=2) as response:
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.25)
        return False

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """Shut the server down through its API (which shuts down its kernels),
        then make sure that it, its process group and every descendant are gone."""
        if self.process is None:
            return
        try:
            server = psutil.Process(self.process.pid)
            family = [server, *server.children(recursive=True)]
        except psutil.NoSuchProcess:
            family = []
        if self.process.poll() is None:
            try:
                request = urllib.request.Request(f"{self.base_url}/api/shutdown", method="POST",
                                                 headers={"Authorization": f"token {self.token}"})
                urllib.request.urlopen(request, timeout=5).close()
            except (urllib.error.URLError, OSError):
                pass
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        if self.process.poll() is None:  # not reaped yet, so its process group id is still ours
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.process.wait(timeout=10)
        # Kernels run in sessions of their own: stop any descendant still alive.
        stop_processes([p for p in family if p.pid != self.process.pid], timeout=5)
        self.process = None


def new_page(browser):
    """A fresh browser context and page (1400 x 1000); returns them and the list
    the page's uncaught JavaScript errors are recorded in."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


# ---------------------------------------------------------------------------
# The notebook UI
# ---------------------------------------------------------------------------

CELLS = ".jp-NotebookPanel .jp-Notebook .jp-Cell"

# One entry per cell of the open notebook, in order: what the page shows.
_CELL_STATES = """() => [...document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell')].map(cell => ({
  code: cell.classList.contains('jp-CodeCell'),
  prompt: (cell.querySelector('.jp-InputPrompt') || {}).innerText || '',
  outputs: [...cell.querySelectorAll('.jp-OutputArea-output')].map(output => ({
    mime: output.getAttribute('data-mime-type') || '',
    text: output.innerText,
    images: [...output.querySelectorAll('.jp-RenderedImage img')].map(img => ({
      complete: img.complete, width: img.naturalWidth, height: img.naturalHeight})),
  })),
}))"""


def cell_states(page) -> list[dict]:
    states = page.evaluate(_CELL_STATES)
    for state in states:
        match = re.search(r"\[(\d+|\*| )\]", state["prompt"])
        mark = match.group(1) if match else " "
        state["count"] = int(mark) if mark.isdigit() else None
        state["running"] = mark == "*"
    return states


def kernel_status(page) -> str:
    return page.get_attribute(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator", "data-status") or ""


def open_notebook(page, lab: JupyterLab, path: str, cells: int, timeout: float = 60.0) -> None:
    """Open `path` in JupyterLab, wait for its `cells` cells and an idle kernel."""
    page.goto(lab.url(f"lab/tree/{path}"), timeout=timeout * 1000)
    page.wait_for_function(f"document.querySelectorAll({json.dumps(CELLS)}).length >= {cells}",
                           timeout=timeout * 1000)
    page.locator(".jp-StatusBar-Widget", has_text=re.compile(r"\|\s*Idle")).first.wait_for(
        timeout=timeout * 1000)
    shown = len(cell_states(page))
    assert shown == cells, f"JupyterLab shows {shown} cells, the notebook has {cells}"


def menu(page, top: str, item: str) -> None:
    """Click main menu `top`, then its entry `item` (exact labels)."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(top)}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


def _summary(states) -> str:
    return " ".join(("*" if s["running"] else str(s["count"] or "_")) for s in states if s["code"])


def wait_for_run(page, after: int, timeout: float = 120.0) -> list[dict]:
    """Wait until a run that started after execution count `after` has finished:
    some cell shows a count above `after`, no cell shows [*] and the kernel is
    idle, twice in a row.  Returns the cell states."""
    deadline = time.monotonic() + timeout
    settled = 0
    while True:
        states = cell_states(page)
        status = kernel_status(page)
        assert status not in ("dead", "restarting", "autorestarting"), f"the kernel died ({status})"
        started = any(s["running"] or (s["count"] or 0) > after for s in states)
        finished = started and not any(s["running"] for s in states) and status == "idle"
        settled = settled + 1 if finished else 0
        if settled >= 2:
            return states
        if time.monotonic() > deadline:
            raise AssertionError(f"cells still running after {timeout:.0f} s (kernel {status}): {_summary(states)}")
        time.sleep(0.3)


def max_count(states) -> int:
    return max((s["count"] or 0 for s in states), default=0)


def error_names(state: dict) -> list[str]:
    """The exception names of the tracebacks shown in a cell's output."""
    names = []
    for output in state["outputs"]:
        if output["mime"] == "application/vnd.jupyter.stderr" and "Traceback" in output["text"]:
            last = [line for line in output["text"].splitlines() if line.strip()][-1]
            names.append(last.split(":", 1)[0].strip())
    return names


def run_all_cells(page, timeout: float = 120.0) -> tuple[list[dict], list[int]]:
    """Run every cell through the UI, as a student who keeps going after an error.

    Run > Run All Cells.  JupyterLab sends each cell with stop_on_error, so the
    run stops at the first cell that raises: the kernel aborts the queued cells
    and they keep an empty prompt.  When that happens, click the first cell that
    did not run and use Run > Run Selected Cell and All Below, until every code
    cell has run.  Returns the final cell states and the indices of the cells
    the runs stopped at.
    """
    deadline = time.monotonic() + timeout
    before = max_count(cell_states(page))
    menu(page, "Run", "Run All Cells")
    states = wait_for_run(page, before, timeout=max(deadline - time.monotonic(), 1))
    stops = []
    while True:
        pending = next((i for i, s in enumerate(states) if s["code"] and s["count"] is None), None)
        if pending is None:
            return states, stops
        ran = [i for i, s in enumerate(states[:pending]) if s["code"] and s["count"] is not None]
        assert ran and error_names(states[ran[-1]]), (
            f"the run stopped before cell {pending} although no cell before it shows an error: {_summary(states)}")
        assert ran[-1] not in stops, f"cell {pending} did not run when asked: {_summary(states)}"
        stops.append(ran[-1])
        before = max_count(states)
        page.locator(CELLS).nth(pending).locator(".jp-InputPrompt").click()
        menu(page, "Run", "Run Selected Cell and All Below")
        states = wait_for_run(page, before, timeout=max(deadline - time.monotonic(), 1))


def validate(page, timeout: float = 120.0):
    """Click nbgrader's Validate toolbar button; return the results dialog once shown."""
    page.locator(".jp-NotebookPanel .validate-button").click()
    dialog = page.locator(".jp-Dialog", has=page.locator(".jp-Dialog-header", has_text="Validation Results"))
    dialog.wait_for(timeout=timeout * 1000)
    return dialog


def copy_template(release_dir: Path, destination: Path, notebook: Path | None = None,
                  name: str = "dataloader.ipynb") -> Path:
    """A copy of the student template, with `notebook` in place of its notebook `name` if given."""
    shutil.copytree(release_dir, destination)
    if notebook is not None:
        shutil.copy2(notebook, destination / name)
    return destination
