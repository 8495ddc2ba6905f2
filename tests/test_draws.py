"""The inputs judgements draw: fixed for a student's own run, keyed per
submission in the grader, so a notebook cannot carry answers for them."""

from grader.grading import grade
from grading_suite.public import observe


def _draws(key: bytes, nodeid: str = "test_x.py::test_y") -> list[int]:
    previous, observe.DRAW_KEY = observe.DRAW_KEY, key
    try:
        observer = observe.Observer(nodeid, "dataset")
        return [observer.draw.randrange(10**9) for _ in range(5)] + [observer._seeds.getrandbits(32)]
    finally:
        observe.DRAW_KEY = previous


def test_the_same_key_and_test_give_the_same_inputs():
    assert _draws(b"k") == _draws(b"k")
    assert _draws(b"k") != _draws(b"other") != _draws(b"local")
    assert _draws(b"k", "test_x.py::test_z") != _draws(b"k")


def test_the_grading_key_follows_the_code_and_the_secret(monkeypatch):
    cells = [("dataset", "class Dataset: pass"), ("loader", "x = 1")]
    key = grade.draw_key(cells)
    assert key == grade.draw_key([tuple(c) for c in cells]) and len(key) == 32
    assert grade.draw_key([("dataset", "class Dataset: pass "), ("loader", "x = 1")]) != key
    assert key != b"local"
    monkeypatch.setenv("TINYTORCH_GRADING_SECRET", "course secret")
    grade._grading_secret.cache_clear()
    try:
        assert grade.draw_key(cells) != key
    finally:
        grade._grading_secret.cache_clear()
