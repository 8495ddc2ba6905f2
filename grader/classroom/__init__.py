"""A whole class: ``collect`` student repositories at a deadline, find each one's
notebook (``student_folders``), grade them all (``autograde``, ``merge``) and
``post_feedback`` to each repository."""
