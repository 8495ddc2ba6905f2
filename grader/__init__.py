"""Course tooling for TinyTorch Module 05: release, export, grade, report.

Run ``python -m grader --help`` for the commands.  Each pipeline step lives in
its own module: ``release``, ``export``, ``demo``, ``nbgrader_grading``.
"""
