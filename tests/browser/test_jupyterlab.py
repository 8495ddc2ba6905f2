"""What a student and an instructor see in JupyterLab, in a real browser.

A `jupyter lab` server runs in a copy of the student template (the release),
then in a copy with the reference solution put in, and one in a copy of the
course for the instructor.  Chromium runs every cell through JupyterLab's Run
menu and the tests read the page: the outputs, the errors, the figures, and
nbgrader's Validate and Formgrader.  Screenshots of each run are saved (see
conftest.SCREENSHOTS_DIR).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from grader import paths
from grader.notebook import is_graded_test, is_library, is_solution, nbgrader_metadata, read_notebook
from tests.browser import lab

pytestmark = pytest.mark.browser

REFERENCE = paths.SUBMITTED_DIR / "example_perfect" / paths.ASSIGNMENT / paths.NOTEBOOK_NAME
STDERR = "application/vnd.jupyter.stderr"
# The traceback of a stub ends in the stub's own line: "----> 27   raise NotImplementedError()".
STUB_RAISE = re.compile(r"-+>\s*\d+\s+raise NotImplementedError\(\)")


def _name(cell, index):
    return nbgrader_metadata(cell).get("grade_id") or f"cell {index}"


def _server(tmp_path_factory, process_marker, name, notebook=None):
    work = tmp_path_factory.mktemp(name)
    root = lab.copy_template(paths.RELEASE_DIR, work / "template", notebook, paths.NOTEBOOK_NAME)
    return lab.JupyterLab(root, work / "jupyter", process_marker).start()


class OpenNotebook:
    """A page with the template's notebook open in JupyterLab."""

    def __init__(self, browser, server, notebook):
        self.server = server
        self.notebook = notebook
        self.context, self.page, self.errors = lab.new_page(browser)
        try:
            lab.open_notebook(self.page, server, paths.NOTEBOOK_NAME, len(notebook.cells))
        except BaseException:
            self.context.close()
            raise

    def close(self):
        self.context.close()


def _opened(browser, tmp_path_factory, process_marker, name, notebook=None):
    """Serve a copy of the template (``notebook`` in place of its notebook, if given) and open
    it in a page; yield the OpenNotebook, then close the page and stop the server."""
    server = _server(tmp_path_factory, process_marker, name, notebook)
    try:
        opened = OpenNotebook(browser, server, read_notebook(server.root / paths.NOTEBOOK_NAME))
        yield opened
        opened.close()
    finally:
        server.stop()


@pytest.fixture(scope="module")
def student(browser, tmp_path_factory, process_marker):
    """The student template as released (stubs), open in JupyterLab."""
    yield from _opened(browser, tmp_path_factory, process_marker, "student")


@pytest.fixture(scope="module")
def reference(browser, tmp_path_factory, process_marker):
    """The student template with the reference solution in place of the stubs, open in JupyterLab."""
    yield from _opened(browser, tmp_path_factory, process_marker, "reference", REFERENCE)


def _stderr_without_traceback(state):
    return [o["text"][:300] for o in state["outputs"] if o["mime"] == STDERR and "Traceback" not in o["text"]]


def test_release_runs_in_jupyterlab_and_stops_only_at_the_stubs(student, screenshots):
    page, notebook = student.page, student.notebook
    states, stops = lab.run_all_cells(page)

    problems = []
    for index, (cell, state) in enumerate(zip(notebook.cells, states)):
        if cell.cell_type != "code":
            continue
        name, errors = _name(cell, index), lab.error_names(state)
        tracebacks = [o["text"] for o in state["outputs"] if o["mime"] == STDERR and "Traceback" in o["text"]]
        if state["count"] is None:
            problems.append(f"{name}: did not run")
        if _stderr_without_traceback(state):
            problems.append(f"{name}: writes to stderr: {_stderr_without_traceback(state)}")
        if any(error != "NotImplementedError" for error in errors):
            problems.append(f"{name}: raises {errors}, not NotImplementedError from a stub")
        elif errors and not all(STUB_RAISE.search(text) for text in tracebacks):
            problems.append(f"{name}: NotImplementedError not raised by a stub's `raise NotImplementedError()`")
        if (is_solution(cell) or is_library(cell)) and errors:
            problems.append(f"{name}: defining the provided code or the stubs fails: {errors}")
        if is_graded_test(cell) and errors != ["NotImplementedError"]:
            problems.append(f"{name}: a test cell should stop at a stub with NotImplementedError, shows {errors}")
    assert not problems, "\n".join(problems)

    clean = [i for i, c in enumerate(notebook.cells) if c.cell_type == "code" and not lab.error_names(states[i])]
    assert any(is_solution(notebook.cells[i]) for i in clean) and any(is_library(notebook.cells[i]) for i in clean)

    # What the student sees first: the first stub error, under its cell.
    first_error = next(i for i, state in enumerate(states) if lab.error_names(state))
    page.locator(lab.CELLS).nth(first_error).scroll_into_view_if_needed()
    page.screenshot(path=screenshots("release-run"))
    assert not student.errors, f"JavaScript errors in the page: {student.errors}"


def _validated(session, screenshot, verdict):
    """Run nbgrader's Validate on the session's notebook, save the dialog as ``screenshot``, check
    that it shows the ``verdict`` ("failed" or "success") once, close it, and return its text."""
    dialog = lab.validate(session.page)
    text = dialog.locator(".jp-Dialog-body").inner_text()
    dialog.screenshot(path=screenshot)
    assert dialog.locator(f".validation-{verdict}").count() == 1, text[:2000]
    dialog.locator(".jp-Dialog-footer button", has_text="Ok").click()
    dialog.wait_for(state="detached")
    return text


def test_validate_on_the_release_reports_the_failing_tests(student, screenshots):
    text = _validated(student, screenshots("release-validate"), "failed")
    tests = sum(is_graded_test(c) for c in student.notebook.cells)
    assert text.count("The following cell failed:") == tests, text[:2000]
    assert text.count("NotImplementedError") >= tests
    assert "Success!" not in text


def test_reference_runs_in_jupyterlab_tests_pass_and_figures_render(reference, screenshots):
    page, notebook = reference.page, reference.notebook
    states, stops = lab.run_all_cells(page)
    assert stops == [], f"Run All stopped at {[_name(notebook.cells[i], i) for i in stops]}"

    problems, figures = [], {}
    for index, (cell, state) in enumerate(zip(notebook.cells, states)):
        if cell.cell_type != "code":
            continue
        name = _name(cell, index)
        text = "\n".join(o["text"] for o in state["outputs"])
        if state["count"] is None:
            problems.append(f"{name}: did not run")
        if any(o["mime"] == STDERR for o in state["outputs"]):
            problems.append(f"{name}: shows an error or stderr output: {text[-500:]}")
        if is_graded_test(cell) and "checks passed." not in text:
            problems.append(f"{name}: the visible test does not print its 'checks passed.' line: {text[-300:]}")
        images = [image for output in state["outputs"] for image in output["images"]]
        if "plt.subplots(" in cell.source:  # a cell that draws a figure
            figures[name] = index
            if not images or not all(i["complete"] and i["width"] > 100 and i["height"] > 100 for i in images):
                problems.append(f"{name}: draws a figure but shows no rendered image: {images}")
    assert not problems, "\n".join(problems)
    assert "memory-figure" in figures, f"the memory-scaling figure cell is missing: {sorted(figures)}"

    # The run's screenshot: the page scrolled to the memory-scaling figure.  Then each figure on its
    # own.  Each must show, pixel for pixel, the image the kernel sent.
    memory_image = _figure(page, figures["memory-figure"])
    box = _show(page, memory_image)
    run_shot = screenshots("reference-run")
    page.screenshot(path=run_shot)
    _assert_shows(_read_png(run_shot), box, memory_image, "reference-run.png, memory figure")
    for name, index in figures.items():
        image = _figure(page, index)
        path = screenshots(f"reference-{name}")
        page.screenshot(path=path, clip=_show(page, image))
        _assert_shows(_read_png(path), None, image, name)
    assert not reference.errors, f"JavaScript errors in the page: {reference.errors}"


def test_validate_on_the_reference_reports_success(reference, screenshots):
    text = _validated(reference, screenshots("reference-validate"), "success")
    assert "Success! Your notebook passes all the tests." in text


@pytest.fixture(scope="module")
def instructor(tmp_path_factory, process_marker):
    """A copy of the course (source, nbgrader_config.py) with the assignment
    generated by nbgrader, served by JupyterLab from the course root."""
    from grader.publish.release import generate_release_copy

    work = tmp_path_factory.mktemp("instructor")
    generate_release_copy(work / "course")
    server = lab.JupyterLab(work / "course", work / "jupyter", process_marker).start()
    yield server
    server.stop()


def test_formgrader_opens_from_jupyterlab_and_lists_the_assignment(browser, instructor, screenshots):
    context, page, errors = lab.new_page(browser)
    try:
        page.goto(instructor.url("lab"))
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Nbgrader$")).wait_for(timeout=60_000)
        lab.menu(page, "Nbgrader", "Formgrader")
        frame = page.frame_locator("iframe[src*='formgrader']")
        row = frame.locator("tr", has=frame.locator("td.name", has_text=paths.ASSIGNMENT))
        row.wait_for(timeout=60_000)
        assert frame.locator("td.name").all_inner_texts() == [paths.ASSIGNMENT]
        assert row.locator("td.preview a").count() == 1, "the generated student version can be previewed"
        page.screenshot(path=screenshots("formgrader"))
        assert not errors, f"JavaScript errors in the page: {errors}"
    finally:
        context.close()


def _figure(page, index):
    return page.locator(lab.CELLS).nth(index).locator(".jp-RenderedImage img").first


def _show(page, element):
    """Scroll `element` to the middle of the notebook and wait until it stops
    moving; return its box, which must lie inside the viewport."""
    element.evaluate("node => node.scrollIntoView({block: 'center'})")
    box = None
    for _ in range(40):
        page.wait_for_timeout(150)
        now = element.bounding_box()
        if now == box:
            break
        box = now
    viewport = page.viewport_size
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (box, viewport)
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (box, viewport)
    return box


def _assert_shows(screenshot, box, image, what):
    """`screenshot` (at `box` if given, give or take a pixel) shows `image`'s own PNG at 1:1."""
    sent = _decode_data_url(image.get_attribute("src"))[..., :3]
    height, width = sent.shape[:2]
    if box is None:
        candidates = [screenshot[..., :3]]
    else:
        top, left = round(box["y"]), round(box["x"])
        assert abs(box["height"] - height) <= 1 and abs(box["width"] - width) <= 1, (
            f"{what}: the figure is shown at {box['width']}x{box['height']}, not its size {width}x{height}")
        candidates = [screenshot[max(top + dy, 0):top + dy + height, max(left + dx, 0):left + dx + width, :3]
                      for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
    best = None
    for shot in candidates:
        assert shot.shape[0] > 150 and shot.shape[1] > 200 and shot.std() > 0.05, f"{what}: blank ({shot.shape})"
        assert abs(shot.shape[0] - height) <= 1 and abs(shot.shape[1] - width) <= 1, (
            f"{what}: the figure is shown at {shot.shape[1]}x{shot.shape[0]}, not its size {width}x{height}")
        rows, cols = min(shot.shape[0], height), min(shot.shape[1], width)
        difference = float(np.abs(shot[:rows, :cols] - sent[:rows, :cols]).mean())
        best = difference if best is None else min(best, difference)
    assert best < 0.01, f"{what}: the screenshot does not show the figure (mean difference {best:.3f})"


def _read_png(source):
    import matplotlib.image

    return np.asarray(matplotlib.image.imread(source, format="png"), dtype=float)


def _decode_data_url(url):
    import base64
    import io

    assert url and url.startswith("data:image/png;base64,"), (url or "")[:80]
    return _read_png(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
