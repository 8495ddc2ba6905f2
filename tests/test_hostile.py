"""Hostile and broken submissions: each gets a score and a message a student
understands, none stops the batch, none changes another submission's grade,
and the sandbox really isolates."""

import json
import socket
import threading

import nbformat
import pytest

from grader import paths
from grader.classroom.autograde import autograde
from grader.grading.grade import grade_notebook
from grader.publish.fill import fill_release, reference_solutions
from grader.publish.leaks import hidden_suite_files

pytestmark = pytest.mark.slow
FULL = {"dataset": 10, "tensordataset": 20, "dataloader": 45, "transforms": 25}


def _with(cell, prefix="", replace=None):
    """The reference notebook with ``prefix`` put before the code of ``cell``
    and/or ``replace`` = (old, new) applied to it."""
    source = reference_solutions()[cell]
    if replace:
        assert replace[0] in source
        source = source.replace(*replace)
    return fill_release({cell: prefix + source})


def _grade(tmp_path, notebook, name="submission.ipynb"):
    path = tmp_path / name
    nbformat.write(notebook, path)
    return grade_notebook(path)


def _parts(report):
    return {p["name"]: p["score"] for p in report["parts"]}


def _messages(report):
    return [t["message"] for p in report["parts"] for t in p["tests"] if t["status"] != "passed"]


def _only_part_lost(report, part):
    scores = _parts(report)
    assert scores[part] < FULL[part], scores
    assert {k: v for k, v in scores.items() if k != part} == {k: v for k, v in FULL.items() if k != part}


def test_infinite_loop_at_import(tmp_path):
    report = _grade(tmp_path, _with("dataloader", "while True:\n    pass\n"))
    _only_part_lost(report, "dataloader")
    assert _parts(report)["dataloader"] == 0
    assert any("did not finish within" in m and "«dataloader»" in m for m in _messages(report))


def test_infinite_loop_inside_iter(tmp_path):
    report = _grade(tmp_path, _with("dataloader", replace=(
        "        order = self._epoch_order()\n", "        while True:\n            pass\n")))
    _only_part_lost(report, "dataloader")
    statuses = [t["status"] for p in report["parts"] for t in p["tests"] if p["name"] == "dataloader"]
    assert "timeout" in statuses and "passed" in statuses  # len() and batch_size checks still count


def test_memory_bomb(tmp_path):
    report = _grade(tmp_path, _with("tensordataset", replace=(
        "        if not tensors:\n", "        hoard = bytearray(64 << 30)\n        if not tensors:\n")))
    _only_part_lost(report, "tensordataset")
    assert any("MemoryError" in m for m in _messages(report))


def test_fork_bomb(tmp_path):
    report = _grade(tmp_path, _with("dataset", replace=(
        "        for index in range(len(self)):\n",
        "        import os\n        while True:\n            os.fork()\n        for index in range(len(self)):\n")))
    assert _parts(report)["dataset"] < 10
    assert {k: v for k, v in _parts(report).items() if k != "dataset"} == {k: v for k, v in FULL.items()
                                                                        if k != "dataset"}


def test_sys_exit_at_top_level(tmp_path):
    report = _grade(tmp_path, _with("compose", "import sys\nsys.exit(0)\n"))
    _only_part_lost(report, "transforms")
    assert any("SystemExit" in m for m in _messages(report))


def test_sys_exit_inside_a_method(tmp_path):
    report = _grade(tmp_path, _with("tensordataset", replace=(
        '        """Return the size of the first dimension, shared by every tensor."""\n',
        '        """Return the size of the first dimension, shared by every tensor."""\n'
        "        import sys\n        sys.exit(0)\n")))
    _only_part_lost(report, "tensordataset")


def test_os_exit_at_import_costs_only_that_cell(tmp_path):
    report = _grade(tmp_path, _with("compose", "import os\nos._exit(0)\n"))
    _only_part_lost(report, "transforms")
    assert any("ended the grading process" in m and "Compose" in m for m in _messages(report))
    assert _grade(tmp_path, fill_release(), "next.ipynb")["score"] == 100


def test_os_exit_inside_a_method_costs_only_its_checks(tmp_path):
    report = _grade(tmp_path, _with("compose", replace=(
        '        """Apply every transform in order and return the result."""\n',
        '        """Apply every transform in order and return the result."""\n        import os\n        os._exit(3)\n')))
    _only_part_lost(report, "transforms")
    assert any("ended while running your code (exit code 3)" in m for m in _messages(report))


def test_killing_the_parent_does_not_reach_the_grader(tmp_path):
    report = _grade(tmp_path, _with("dataset", "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"))
    assert report["score"] == 100, _messages(report)  # the parent is the sandbox's init: the kill is ignored
    assert _grade(tmp_path, fill_release(), "next.ipynb")["score"] == 100


@pytest.fixture
def listening_socket():
    """A TCP server on the host's loopback that records whether anyone connected."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(5)
    connected = []

    def accept():
        try:
            connection, _ = server.accept()
            connected.append(True)
            connection.close()
        except OSError:
            pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], connected
    server.close()


ESCAPE = '''
import socket as _socket, os as _os
_codes = []  # one letter each: 0 blocked, 1 got through
try:
    _socket.create_connection(("127.0.0.1", {port}), timeout=3).close()
    _codes.append("N1")
except OSError:
    _codes.append("N0")
_reads = ""
for _secret in {secrets!r}:
    try:
        open(_secret).read()
        _reads += "1"
    except OSError:
        _reads += "0"
_codes.append("R" + _reads)
try:
    with open({target!r}, "w") as _stream:
        _stream.write("pwned")
    _codes.append("W1")
except OSError:
    _codes.append("W0")
try:
    _os.remove({victim!r})
    _codes.append("D1")
except OSError:
    _codes.append("D0")
raise RuntimeError("sandbox probe: " + " ".join(_codes))
'''


def test_the_sandbox_blocks_network_source_and_repository_writes(tmp_path, listening_socket):
    port, connected = listening_socket
    target = paths.ROOT / "PWNED_BY_SUBMISSION"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    secrets = [str(p) for p in (paths.SOURCE_NOTEBOOK, paths.LIBRARY_MODULE, paths.ROOT / "grading_suite/hidden/test_dataset.py",
                                paths.ROOT / "grading_suite/public/test_dataset.py", paths.ROOT / "nbgrader_config.py")]
    probe = ESCAPE.format(port=port, secrets=secrets, target=str(target), victim=str(victim))
    report = _grade(tmp_path, _with("compose", probe))
    assert report["isolation"] == "bubblewrap", report["notices"]
    message = " ".join(m for m in _messages(report) if "sandbox probe" in m)
    assert f"sandbox probe: N0 R{'0' * len(secrets)} W0 D0" in message, message
    assert not connected and not target.exists() and victim.read_text() == "keep me"


def test_the_judgements_are_not_in_the_sandbox(tmp_path):
    hidden = next(path for path in hidden_suite_files() if path.name.startswith("test_"))
    code = f"_text = open({str(hidden)!r}).read()\nraise RuntimeError(_text)\n"
    report = _grade(tmp_path, _with("compose", code))
    assert any("FileNotFoundError" in m for m in _messages(report))
    assert all(len(m) <= 600 for m in _messages(report))


def test_a_hundred_megabytes_of_output(tmp_path):
    report = _grade(tmp_path, _with("compose", "print('x' * 100_000_000)\n"))
    assert report["score"] == 100
    assert "xxxxxxxxxx" not in json.dumps(report)


@pytest.mark.parametrize("content, expected", [
    (b"{not json", "not valid JSON"), (b"\xff\xfe\xfa", "not UTF-8"), (b"", "empty"),
    (b'{"hello": 1}', "not a Jupyter notebook")])
def test_unreadable_notebooks(tmp_path, content, expected):
    path = tmp_path / "broken.ipynb"
    path.write_bytes(content)
    report = grade_notebook(path)
    assert report["score"] == 0 and any(expected in n for n in report["notices"])


def test_older_nbformat_is_converted_and_graded(tmp_path):
    path = tmp_path / "old.ipynb"
    path.write_text(nbformat.writes(nbformat.convert(fill_release(), 3)))
    assert json.loads(path.read_text())["nbformat"] == 3
    report = grade_notebook(path)
    assert report["score"] == 100 and any("converted" in n for n in report["notices"])


def test_renamed_and_missing_notebooks_in_a_batch(tmp_path):
    submissions = tmp_path / "submitted"
    renamed = submissions / "alice" / "My DataLoader (final).ipynb"
    renamed.parent.mkdir(parents=True)
    nbformat.write(fill_release(), renamed)
    (submissions / "bob").mkdir()
    reports = autograde(submissions, tmp_path / "out", jobs=2, progress=False)
    assert reports["alice"]["score"] == 100 and reports["bob"]["score"] == 0
    assert "no notebook found" in reports["bob"]["notices"][0]


def test_duplicated_cells_are_graded_with_a_notice(tmp_path):
    notebook = fill_release()
    index = next(i for i, c in enumerate(notebook.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "dataloader")
    copy = nbformat.from_dict(json.loads(json.dumps(notebook.cells[index])))
    copy["id"] = "pasted-copy"  # JupyterLab gives a pasted cell a new id but keeps its metadata
    notebook.cells.insert(index + 1, copy)
    report = _grade(tmp_path, notebook)
    assert report["score"] == 100 and any("appears 2 times" in n for n in report["notices"])


def test_deleted_and_retyped_cells(tmp_path):
    notebook = fill_release()
    notebook.cells = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id")
                      not in ("compose", "test_dataset")]
    crop = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "random_crop")
    crop.cell_type = "markdown"
    crop.pop("outputs", None)
    crop.pop("execution_count", None)
    report = _grade(tmp_path, notebook)
    notices = " | ".join(report["notices"])
    assert "'compose' is missing" in notices and "'random_crop' was changed to a markdown cell" in notices
    assert "'test_dataset' was deleted" in notices
    assert _parts(report) == {**FULL, "transforms": 10}
    assert any("RandomCrop" in m and "not defined" in m for m in _messages(report))


def test_importing_a_package_that_is_not_installed(tmp_path):
    report = _grade(tmp_path, _with("dataloader", "import torch_that_does_not_exist\n"))
    _only_part_lost(report, "dataloader")
    assert any("ModuleNotFoundError" in m and "torch_that_does_not_exist" in m for m in _messages(report))


def test_a_very_slow_but_correct_implementation_gets_full_marks(tmp_path):
    report = _grade(tmp_path, _with("dataloader", replace=(
        "            samples = [self.dataset[int(index)] for index in batch_indices]\n",
        "            import time\n            time.sleep(0.0002 * len(batch_indices))\n"
        "            samples = [self.dataset[int(index)] for index in batch_indices]\n")))
    assert report["score"] == 100, _messages(report)


def test_hostile_neighbours_do_not_change_a_good_grade(tmp_path):
    submissions = tmp_path / "submitted"
    bombs = {"forker": _with("dataset", replace=("        for index in range(len(self)):\n",
                                                 "        import os\n        while True:\n            os.fork()\n"
                                                 "        for index in range(len(self)):\n")),
             "hog": _with("tensordataset", "hoard = bytearray(64 << 30)\n"),
             "filler": _with("compose", "for _folder in ('/tmp', '.'):\n"
                                        "    try:\n        open(_folder + '/fill', 'wb').write(b'x' * (300 << 20))\n"
                                        "    except OSError:\n        pass\n"),
             "good": fill_release()}
    for student, notebook in bombs.items():
        (submissions / student).mkdir(parents=True)
        nbformat.write(notebook, submissions / student / paths.NOTEBOOK_NAME)
    reports = autograde(submissions, tmp_path / "out", jobs=3, progress=False)
    assert reports["good"]["score"] == 100
    assert reports["forker"]["score"] < 100 and reports["hog"]["score"] < 100
    assert reports["filler"]["score"] == 100, "filling its own tmpfs costs nothing"
    again = autograde(submissions, tmp_path / "out", jobs=3, progress=False)
    assert again["good"]["score"] == 100


def test_without_bubblewrap_grading_refuses_unless_asked(tmp_path, monkeypatch):
    from grader.grading import sandbox

    monkeypatch.setattr(sandbox, "bubblewrap_problem", lambda: "bubblewrap (bwrap) is not installed")
    path = tmp_path / "submission.ipynb"
    nbformat.write(fill_release(), path)
    with pytest.raises(sandbox.SandboxUnavailable, match="apt-get install bubblewrap.*--unsandboxed"):
        grade_notebook(path)
    with pytest.raises(sandbox.SandboxUnavailable):
        autograde(tmp_path, tmp_path / "out", progress=False)
    report = grade_notebook(path, unsandboxed=True)
    assert report["score"] == 100
    assert report["isolation"].startswith("none (--unsandboxed)")
    assert any("isolation none (--unsandboxed)" in n for n in report["notices"])
    nbformat.write(_with("compose", "import os\nos.kill(os.getppid(), 9)\n"), tmp_path / "hostile.ipynb")
    assert grade_notebook(tmp_path / "hostile.ipynb", unsandboxed=True)["score"] <= 100
    assert grade_notebook(path, unsandboxed=True)["score"] == 100


def test_a_symbolic_link_is_not_followed(tmp_path):
    link = tmp_path / "dataloader.ipynb"
    link.symlink_to(paths.SOURCE_NOTEBOOK)
    report = grade_notebook(link)
    assert report["score"] == 0 and any("symbolic link" in n for n in report["notices"])


def test_a_fifo_is_refused_without_waiting(tmp_path):
    import os

    fifo = tmp_path / "dataloader.ipynb"
    os.mkfifo(fifo)
    report = grade_notebook(fifo)
    assert report["score"] == 0 and any("not a regular file" in n for n in report["notices"])


def _malformed(kind):
    notebook = json.loads(nbformat.writes(fill_release()))
    cell = next(c for c in notebook["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("solution"))
    if kind == "metadata is a list":
        cell["metadata"] = ["x"]
    elif kind == "source holds numbers":
        cell["source"] = [1, 2, 3]
    elif kind == "nbgrader is a string":
        cell["metadata"]["nbgrader"] = "solution"
    elif kind == "grade_id is a dict":
        cell["metadata"]["nbgrader"]["grade_id"] = {"a": 1}
    elif kind == "deep nesting":
        return '{"cells": ' + "[" * 200_000 + "]" * 200_000 + "}"
    elif kind == "huge integer":
        return '{"cells": [], "nbformat": ' + "9" * 100_000 + "}"
    return json.dumps(notebook)


@pytest.mark.parametrize("kind", ["metadata is a list", "source holds numbers", "nbgrader is a string",
                                  "grade_id is a dict", "deep nesting", "huge integer"])
def test_malformed_notebooks_get_zero_with_a_reason_not_a_crash(tmp_path, kind):
    path = tmp_path / "dataloader.ipynb"
    path.write_text(_malformed(kind))
    report = grade_notebook(path)
    assert report["score"] <= 100 and report["notices"], kind
    if kind in ("deep nesting", "huge integer", "metadata is a list"):
        assert report["score"] == 0 and any("could not be read" in n for n in report["notices"]), report["notices"]
