"""Grade one submitted notebook: ``intake`` reads it, ``sandbox`` and ``child`` run its
cells, ``channel`` asks the child for observations, ``suite`` runs the judgements,
``grade`` scores them into a report, ``report`` and ``feedback`` show it.

Nothing is imported here: the sandboxed child imports ``grader.grading.child`` and
``student_code`` alone (``sandbox.SANDBOX_FILES``)."""
