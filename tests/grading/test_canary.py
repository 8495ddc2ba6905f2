"""Canaries: checks whose outcome is known for every submission.

The grader expects ``test_canary_fails`` to fail and ``test_canary_passes``
to pass.  A submission that tampers with pytest, the grader, builtins or the
exit functions so that every test "passes" flips the first; one that breaks
the machinery flips the second.  Either way its grade is 0, with a flag.
"""

import pytest

from tests.public.support import expect


@pytest.mark.canary("fail")
@pytest.mark.xfail(strict=True, reason="a canary: it must fail")
def test_canary_fails():
    """Always fails: a result of 'passed' means the judgement was tampered with."""
    expect(1 + 1 == 3, "this check fails on purpose")


@pytest.mark.canary("pass")
def test_canary_passes(submission):
    """Always passes once a submission is loaded."""
    expect(isinstance(1 + 1, int), "this check passes on purpose")
