"""The grading suite of Module 05: probes inside the sandbox, judgements outside.

    public/            shipped to students as their template's tests/
        test_*.py      public judgements (pytest tests with points and part markers)
        conftest.py    the ``observe`` fixture; observe.py runs probes (locally or via the grader)
        checks.py      judgement helpers (expect, statistics, readers of descriptions)
        probes/        public probes, the wire codec and probe helpers
    hidden/            never shipped
        test_*.py      hidden judgements, one file per notebook test cell
        judging_*.py   their helpers by theme (expected values, messages, strategies, statistics)
        properties.py  Hypothesis property checks, seeded from the draw
        probes/        hidden probes

Probes run beside the student's code and return plain data; judgements run in
the grader's own process, which never runs student code, and hold every
expected value, message and point.  The sandbox mounts ``*/probes/`` only.
"""
