"""Feedback carries submission text only quoted, cut and escaped."""

from grader.grading.feedback import escape, feedback_markdown
from grader.grading.grade import QUOTED_PER_REPORT, _cap_quoted
from grading_suite.public.observe import QUOTE_LIMIT, quote


def _report(message):
    test = {"name": "test_x", "cell": "test_dataset", "status": "failed", "score": 0, "max_score": 2,
            "message": message, "checks": "what it checks"}
    return {"score": 0, "max_score": 2, "notices": ["isolation <b>bad</b>"],
            "parts": [{"name": "dataset", "score": 0, "max_score": 2, "tests": [test]}]}


def test_markdown_and_html_cannot_start_from_submission_text():
    hostile = quote('<img src=x onerror=alert(1)> [click](http://evil) @org/team `code` | cell | **bold**')
    page = feedback_markdown(_report(f"your code raised ValueError: {hostile}"), "bob", "05_dataloader")
    assert "<img" not in page and "<b>" not in page and "](http" not in page
    assert "@org" not in page and "**bold**" not in page and "`code`" not in page
    assert escape("a|b") == "a\\|b" and escape("x\ny") == "x y"


def test_quotes_are_cut_and_cannot_be_closed_early():
    quoted = quote("»" + "y" * 500)
    assert quoted.startswith("«›") and quoted.endswith("…»") and len(quoted) == QUOTE_LIMIT + 3


def test_a_report_holds_at_most_2_kb_of_quoted_text():
    entries = [{"message": f"check {i}: {quote('z' * 200)}"} for i in range(40)]
    _cap_quoted(entries)
    kept = sum(len(e["message"]) - len(f"check {i}: ") for i, e in enumerate(entries) if "zzz" in e["message"])
    assert kept <= QUOTED_PER_REPORT and entries[-1]["message"].endswith("«…»")


def test_feedback_fits_in_one_issue_whatever_the_report():
    tests = [{"name": f"test_{i}", "cell": "test_dataset", "status": "failed", "score": 0, "max_score": 1,
              "message": "m" * 600, "checks": "c" * 300} for i in range(500)]
    report = {"score": 0, "max_score": 500, "notices": ["n" * 300] * 12,
              "parts": [{"name": "dataset", "score": 0, "max_score": 500, "tests": tests}]}
    page = feedback_markdown(report, "@bob <b>", "05_dataloader")
    assert len(page) <= 60_000 and page.endswith("(feedback cut here: ask your instructor for the rest)\n")
    assert "@bob" not in page and "<b>" not in page
