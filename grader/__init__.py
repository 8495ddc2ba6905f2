"""Course tooling for TinyTorch Module 05, one subpackage per stage of the pipeline.

* ``grader.publish``: source notebook -> student release (nbgrader, template files,
  leak scan), the exported library and the bundled example submissions;
* ``grader.grading``: one submitted notebook -> a report (intake, sandboxed child,
  probe channel, judgements, score, feedback);
* ``grader.nbgrader``: the same grading seen through nbgrader (preprocessors, gradebook);
* ``grader.classroom``: a whole class (collect repositories, grade in bulk, post feedback).

Shared by all: ``paths`` and ``limits`` (where things live, how far anything may go),
``notebook`` (the cell model), ``parts``, ``rules``; ``cli`` lists the commands
(``python -m grader --help``).
"""
