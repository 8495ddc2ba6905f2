"""The hidden judgements use the public ``observe`` and ``draw`` fixtures."""

from grading_suite.public.conftest import draw, observe  # noqa: F401
