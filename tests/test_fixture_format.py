"""The fixture format of tests/fixture_submissions.py: BASE errors and BODIES."""

import pytest

from tests import fixture_submissions
from tests.fixture_submissions import FixtureSubmission, load, replace_body

SOURCE = '''class Outer:
    """Doc of Outer."""

    def method(self, x):
        """Doc of method."""
        y = x + 1
        return y

    def plain(self):
        # a comment the body keeps
        return 2

    def factory(self):
        class Inner:
            def step(self):
                return 3

        return Inner()
'''


def fixture(name: str, **fields) -> FixtureSubmission:
    return FixtureSubmission(name=name, description="", breaks=[], replace=fields.pop("replace", {}),
                             cells=fields.pop("cells", {}), **fields)


def test_body_replaced_below_def_and_docstring():
    new = replace_body(SOURCE, "Outer.method", "if x:\n    return 0\nreturn x", "here")
    assert new == SOURCE.replace("        y = x + 1\n        return y\n",
                                 "        if x:\n            return 0\n        return x\n")


def test_body_without_docstring_starts_at_its_first_statement():
    new = replace_body(SOURCE, "Outer.plain", "return 5", "here")
    assert "        # a comment the body keeps\n        return 5\n" in new
    assert "return 2" not in new


def test_body_of_a_method_of_a_class_defined_in_a_method():
    new = replace_body(SOURCE, "Outer.factory.Inner.step", "return 4", "here")
    assert "            def step(self):\n                return 4\n" in new
    assert new.count("return 4") == 1 and "return 3" not in new


@pytest.mark.parametrize("qualname, complaint", [
    ("Outer.missing", "BODIES names 'Outer.missing', but Outer defines no 'missing' "
                      "(it defines ['factory', 'method', 'plain'])"),
    ("Nowhere.method", "BODIES names 'Nowhere.method', but the cell defines no 'Nowhere'"),
    ("Outer.factory.Inner", "BODIES names 'Outer.factory.Inner', a class, not a function"),
])
def test_unknown_or_wrong_name_refused(qualname, complaint):
    with pytest.raises(ValueError) as error:
        replace_body(SOURCE, qualname, "return 0", "fixture x.py")
    assert str(error.value).startswith(f"fixture x.py: {complaint}")


def test_one_line_function_refused():
    with pytest.raises(ValueError, match="'f', whose body starts on its def line"):
        replace_body("def f(): return 1\n", "f", "return 2", "here")


def test_bodies_then_replace_on_the_reference_cell():
    sources = fixture("buggy/t", bodies={"dataloader": {"DataLoader.__len__": "return 7"}},
                      replace={"dataloader": [("return 7", "return 8")]}).cell_sources()
    cell = sources["dataloader"]
    length = cell[cell.index("    def __len__"):cell.index("    def _epoch_order")]
    assert length.startswith("    def __len__(self) -> int:\n        \"\"\"Return the number of batches")
    assert length.rstrip().endswith('"""\n        return 8')


def test_bodies_unknown_method_names_the_fixture():
    with pytest.raises(ValueError, match=r"tests/fixtures/submissions/buggy/t\.py, cell 'dataloader': "
                                         r"BODIES names 'DataLoader\.__lenn__'"):
        fixture("buggy/t", bodies={"dataloader": {"DataLoader.__lenn__": "return 7"}}).cell_sources()


def test_missing_base_names_both_files():
    with pytest.raises(ValueError, match=r"fixture tests/fixtures/submissions/buggy/t\.py: BASE 'correct/nope' "
                                         r"names no fixture \(no file tests/fixtures/submissions/correct/nope\.py\)"):
        fixture("buggy/t", base="correct/nope").cell_sources()


def test_cycle_of_bases_refused(tmp_path, monkeypatch):
    (tmp_path / "buggy").mkdir()
    (tmp_path / "buggy" / "a.py").write_text('BASE = "buggy/b"\n')
    (tmp_path / "buggy" / "b.py").write_text('BASE = "buggy/a"\n')
    monkeypatch.setattr(fixture_submissions, "FIXTURES_DIR", tmp_path)
    with pytest.raises(ValueError, match=r"BASE 'buggy/a' makes a cycle: tests/fixtures/submissions/buggy/a\.py -> "
                                         r"tests/fixtures/submissions/buggy/b\.py -> tests/fixtures/submissions/buggy/a\.py"):
        load(tmp_path / "buggy" / "a.py").cell_sources()


def test_base_cells_carried_and_changed(tmp_path, monkeypatch):
    (tmp_path / "correct").mkdir()
    (tmp_path / "buggy").mkdir()
    (tmp_path / "correct" / "base.py").write_text(
        'BODIES = {"dataloader": {"DataLoader.__len__": "return 7"}}\nBREAKS = []\n')
    (tmp_path / "buggy" / "child.py").write_text(
        '"""Seven is now eight."""\nBASE = "correct/base"\nREPLACE = {"dataloader": [("return 7", "return 8")]}\n'
        'BREAKS = ["dataloader"]\n')
    monkeypatch.setattr(fixture_submissions, "FIXTURES_DIR", tmp_path)
    child = load(tmp_path / "buggy" / "child.py")
    assert (child.description, child.breaks, child.base) == ("Seven is now eight.", ["dataloader"], "correct/base")
    assert "        return 8" in child.cell_sources()["dataloader"]
