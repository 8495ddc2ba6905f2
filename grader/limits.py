"""Every limit of the grader, in one place: how long, how much and how many.

Modules import the names they enforce from here.  Three stay where they are because
they ship to students or run where ``grader`` is not importable, and say so where
they stand: ``student_code.CELL_TIMEOUT_SECONDS`` (the student template's copy of
the cell loader; equal to ``CELL_SECONDS``), and the public suite's
``observe.QUOTE_LIMIT`` and ``probes/codec.py`` limits (array bytes, items, depth).
"""

from __future__ import annotations

from dataclasses import dataclass

# --- one notebook in the sandboxed child (grader.grading.channel) -----------------------------
CELL_SECONDS = 10  # loading one library cell
PROBE_SECONDS = 10  # one probe call
AFTER_TIMEOUT_SECONDS = 3  # one probe call, once a call of this notebook has timed out
TIMEOUTS_PER_PART = 3  # timed-out calls after which a part's other checks are not run
NOTEBOOK_SECONDS = 120  # the whole notebook (``grade --timeout`` default)
START_SECONDS = 30  # a child's start, before it says it is ready
MAX_STARTS = 12  # children started for one notebook (each restart after a crash or a hang)
MAX_ANSWER_BYTES = 16 << 20  # [16 MiB] one answer of the child


@dataclass(frozen=True)
class ChildLimits:
    """Resource limits of one grading child (defaults in brackets; grader.grading.sandbox)."""

    cpu_seconds: int = 150            # [150] CPU time before SIGXCPU, per process
    address_space: int = 1 << 30      # [1 GiB] virtual memory, per process
    open_files: int = 256             # [256]
    processes: int = 4                # [4] processes and threads of the sandbox user: 4 GiB in all
    file_size: int = 64 << 20         # [64 MiB] largest file it may write
    scratch_bytes: int = 256 << 20    # [256 MiB] tmpfs for the working directory, and as much for /tmp


SANDBOX_UID_BASE = 61000  # unprivileged uids used when the grader runs as root
MAX_SANDBOX_UIDS = 256  # grading children at once on one machine
BUBBLEWRAP_CHECK_SECONDS = 20  # the trial run that tells whether bubblewrap works here

# --- reading a submission (grader.grading.intake, grader.classroom.student_folders) -----------
MAX_NOTEBOOK_BYTES = 32 << 20  # [32 MiB] a submitted notebook
MAX_RECORD_BYTES = 1 << 16  # [64 KiB] a collect record (.submission.json)
MAX_FOLDER_DEPTH = 6  # folders below a student's folder searched for a notebook
MAX_FOLDER_ENTRIES = 5000  # entries looked at in one student's folder

# --- what a report may say (grader.grading.grade, suite, feedback) -----------------------------
MESSAGE_LIMIT = 600  # characters of one test's message
QUOTED_PER_REPORT = 2048  # characters of quoted submission text in one report
SECRET_LINE_LENGTH = 40  # lines at least this long of the secret files never appear in a message
MAX_NOTICES = 12  # notices kept in one report
NOTICE_LIMIT = 300  # characters of one notice (and of a reason given in a report)
FEEDBACK_LIMIT = 60_000  # characters of feedback.md: a GitHub issue or comment body holds 65,536
SUMMARY_LIMIT = 512 * 1024  # characters of summary.md (GitHub's step summary takes 1 MiB)
NOTED_STUDENTS = 200  # students listed with their notes in summary.md

# --- a class (grader.classroom) ----------------------------------------------------------------
POOL_RETRIES = 2  # fresh worker pools after one dies, before its students get an error row
GIT_TIMEOUT_SECONDS = 600  # one git command of ``collect``
GH_TIMEOUT_SECONDS = 120  # one gh command of ``post-feedback``
MAX_SHARDS = 256  # GitHub's job matrix limit

# --- publishing (grader.publish) ---------------------------------------------------------------
LEAK_MIN_LINE_LENGTH = 12  # a solution line this long or longer found in the release is a leak
NOTEBOOK_RUN_CELL_SECONDS = 300  # one cell when the demo runs the source notebook in a kernel
