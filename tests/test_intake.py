"""Which folders are students and where their notebooks are: every folder
counts, whatever its name, and no link is followed."""

import os
from pathlib import Path

from grader import paths
from grader.classroom.student_folders import find_notebook, students_in
from grader.limits import MAX_FOLDER_DEPTH as MAX_DEPTH

NOTEBOOK = f"{paths.ASSIGNMENT}/{paths.NOTEBOOK_NAME}"


def _touch(path, text="{}"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_notebook_is_found_in_each_layout(tmp_path):
    nbgrader_style = _touch(tmp_path / "a" / NOTEBOOK)
    classroom_style = _touch(tmp_path / "b" / paths.NOTEBOOK_NAME)
    renamed = _touch(tmp_path / "c" / "deep" / "my work.ipynb")
    _touch(tmp_path / "c" / ".ipynb_checkpoints" / "my work-checkpoint.ipynb")
    (tmp_path / "d").mkdir()
    assert find_notebook(tmp_path / "a").path == nbgrader_style
    assert find_notebook(tmp_path / "b").path == classroom_style
    assert find_notebook(tmp_path / "c").path == renamed
    missing = find_notebook(tmp_path / "d")
    assert missing.path is None and "no notebook found" in missing.problem


def test_several_notebooks_are_named_not_guessed(tmp_path):
    _touch(tmp_path / "s" / "one.ipynb")
    _touch(tmp_path / "s" / "two.ipynb")
    found = find_notebook(tmp_path / "s")
    assert found.path is None and "2 notebooks found" in found.problem and "one.ipynb" in found.problem


def test_links_are_named_never_followed(tmp_path):
    source = _touch(tmp_path / "instructor" / "dataloader.ipynb")
    (tmp_path / "to-source").mkdir()
    os.symlink(source, tmp_path / "to-source" / paths.NOTEBOOK_NAME)
    (tmp_path / "folder-link").mkdir()
    os.symlink(source.parent, tmp_path / "folder-link" / paths.ASSIGNMENT)
    (tmp_path / "zero").mkdir()
    os.symlink("/dev/zero", tmp_path / "zero" / "notes.ipynb")
    os.symlink(tmp_path / "to-source", tmp_path / "student-link")
    # a committed .venv with links inside changes nothing
    _touch(tmp_path / "venv" / paths.NOTEBOOK_NAME)
    (tmp_path / "venv" / ".venv" / "bin").mkdir(parents=True)
    os.symlink("/usr/bin/python3", tmp_path / "venv" / ".venv" / "bin" / "python")

    assert "links are not followed" in find_notebook(tmp_path / "folder-link").problem
    assert "links are not followed" in find_notebook(tmp_path / "student-link").problem
    assert "dataloader.ipynb is a symbolic link" in find_notebook(tmp_path / "to-source").problem
    assert "notes.ipynb is a symbolic link" in find_notebook(tmp_path / "zero").problem
    assert find_notebook(tmp_path / "venv").path == tmp_path / "venv" / paths.NOTEBOOK_NAME


def deep_tree(top, depth=1100) -> list[str]:
    """A chain of ``depth`` folders ``top/d/d/...`` (too deep for recursive
    walks); returns the folders, deepest last."""
    folders, path = [], str(top)
    for _ in range(depth):
        os.makedirs(path, exist_ok=True)
        folders.append(path)
        path += "/d"
    return folders


def remove_deep_tree(folders: list[str]) -> None:
    """Remove what ``deep_tree`` made (shutil.rmtree, and so pytest's cleanup, recurses too deep)."""
    for folder in reversed(folders):
        for name in os.listdir(folder):
            if not os.path.isdir(os.path.join(folder, name)):
                os.unlink(os.path.join(folder, name))
        os.rmdir(folder)


def test_a_very_deep_tree_ends_the_search_not_the_batch(tmp_path):
    folders = deep_tree(tmp_path / "deep")
    try:
        _touch(Path(folders[-1]) / "lost.ipynb")
        found = find_notebook(tmp_path / "deep")
        assert found.path is None and "no notebook found" in found.problem
    finally:
        remove_deep_tree(folders)
    shallow = tmp_path / "shallow"
    _touch(shallow.joinpath(*["d"] * MAX_DEPTH) / "found.ipynb")
    assert find_notebook(shallow).path is not None


def test_every_folder_is_a_student_whatever_its_name(tmp_path):
    names = ["bob smith", "josé", "_under", "-dash", "a;b", "UPPER", "example_perfect"]
    for name in names:
        (tmp_path / name).mkdir()
    (tmp_path / ".git").mkdir()
    _touch(tmp_path / "README.md")
    os.symlink(tmp_path / "josé", tmp_path / "linked")
    assert students_in(tmp_path) == sorted(names + ["linked"])
    assert students_in(tmp_path, include_examples=False) == sorted(set(names + ["linked"]) - {"example_perfect"})
