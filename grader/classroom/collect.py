"""Collect student repositories as they were at a deadline: ``python -m grader collect``.

    python -m grader collect (--org ORG --prefix PREFIX | --repos FILE) [--deadline ISO]
                             [--dest submitted/] [--url-template URL] [--jobs 4]

Which repositories: with ``--org ORG --prefix PREFIX``, every repository of ORG
named ``PREFIX-USERNAME`` (GitHub Classroom's naming), listed with
``gh api --paginate orgs/ORG/repos --jq '.[].name'`` (the executable is env
``GH``, default ``gh``).  With ``--repos FILE``, those named in FILE, one
``owner/name`` or ``name`` a line (commas also separate, ``#`` starts a
comment); a bare name's owner is ``--org``.  ``--repos`` overrides the
listing.  The student id is the name after ``PREFIX-`` (the whole name
without ``--prefix`` or if it does not start with ``PREFIX-``).

Each repository is cloned (bare) from ``--url-template`` (default
``https://github.com/{owner}/{repo}.git``; git authenticates itself, e.g. with
``gh auth setup-git``).  The chosen commit is the last one on the default
branch whose committer date is at or before ``--deadline`` (ISO 8601 with a
time zone; ``git rev-list -1 --before=DEADLINE HEAD``), or the latest commit
without ``--deadline``.  Its files (no ``.git``) go to ``DEST/<student>/``
(default ``submitted/``) through a temporary folder and a rename, with
``.submission.json``: ``{"student", "repo", "commit", "commit_date",
"deadline"}``.  Without such a commit the folder holds only
``.submission.json`` (``"commit": null`` and a ``"note"``), which autograde
grades 0, "no notebook found".  A rerun leaves a student's folder alone when
its chosen commit is unchanged.

Committer dates are written by whoever commits, so a student can backdate a
commit.  GitHub's push events (the repository's activity log) are the
authoritative record of when work arrived; this tool trusts committer dates.

Symbolic links in a repository (a committed ``.venv`` is full of them) are
left out of the extracted files and counted in the record's ``"links_left_out"``.

Errors: ``ValueError`` naming the argument and its value for a bad
``--deadline``, ``--org``, ``--prefix``, ``--url-template``, ``--repos`` line,
or for missing inputs; ``RuntimeError`` if ``gh`` cannot list the
organization.  A repository that cannot be collected (clone fails, a
``DEST/<student>`` folder collect did not write) does not stop the others: the
reason goes to ``DEST/.collect.json`` and, when the student has no folder yet,
to a folder holding only ``.submission.json`` with ``"not_collected"``, which
autograde grades 0 "not collected" with the reason (an earlier collection is
left as it was and graded).  The command exits 1 only when nothing at all
could be collected.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from grader import paths
from grader.limits import GIT_TIMEOUT_SECONDS

DEFAULT_URL_TEMPLATE = "https://github.com/{owner}/{repo}.git"
RECORD = ".submission.json"
REPORT = ".collect.json"  # in DEST: what was and was not collected, and why (a hidden name: not a student)
GITHUB_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class Repo:
    """A student repository: the student id, its owner (may be empty) and name."""

    student: str
    owner: str
    name: str

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}" if self.owner else self.name


def parse_deadline(text: str | None) -> datetime | None:
    """The deadline as an aware UTC datetime, or None for an empty ``text``.

    Raises:
        ValueError: if ``text`` is not ISO 8601 or has no time zone.
    """
    if not text or not text.strip():
        return None
    try:
        deadline = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"--deadline should be an ISO 8601 date and time such as "
                         f"2026-12-01T23:59:00Z, got {text!r}") from None
    if deadline.tzinfo is None:
        raise ValueError(f"--deadline needs a time zone (Z or +HH:MM), got {text!r}")
    return deadline.astimezone(timezone.utc)


def check_name(value: str, argument: str) -> str:
    """``value`` if it is a GitHub owner or repository name, else ValueError naming ``argument``."""
    if not GITHUB_NAME.match(value or "") or value in (".", ".."):
        raise ValueError(f"{argument} should be a GitHub name (letters, digits, '-', '_', '.'), got {value!r}")
    return value


def student_id(name: str, prefix: str | None) -> str:
    """The part of ``name`` after ``PREFIX-`` (case-insensitive), else ``name``."""
    if prefix and name.lower().startswith(prefix.lower() + "-") and len(name) > len(prefix) + 1:
        return name[len(prefix) + 1:]
    return name


def _checked(repos: list[Repo], source: str) -> list[Repo]:
    from grader.classroom.autograde import STUDENT_ID

    if not repos:
        raise ValueError(f"{source} names no repositories")
    seen = {}
    for repo in repos:
        if not STUDENT_ID.match(repo.student):
            raise ValueError(f"{source}: student id {repo.student!r} of {repo.full_name} is not a usable folder name")
        if repo.student in seen:
            raise ValueError(f"{source}: {seen[repo.student]} and {repo.full_name} are both student {repo.student!r}")
        seen[repo.student] = repo.full_name
    return repos


def read_repos(file: str | Path, org: str | None = None, prefix: str | None = None) -> list[Repo]:
    """The repositories listed in ``file`` (see the module docstring).

    Raises:
        ValueError: if the file cannot be read, a name is not a GitHub name,
            two lines give the same student, or it names no repository.
    """
    try:
        text = Path(file).read_text(encoding="utf-8")
    except OSError as error:
        raise ValueError(f"--repos {file}: cannot read it ({error.strerror or error})") from None
    repos = []
    for number, line in enumerate(text.splitlines(), 1):
        for entry in line.split("#", 1)[0].replace(",", " ").split():
            owner, _, name = entry.rpartition("/")
            where = f"--repos {file} line {number} ({entry!r})"
            owner = check_name(owner, where) if owner else (org or "")
            repos.append(Repo(student_id(check_name(name, where), prefix), owner, name))
    return _checked(repos, f"--repos {file}")


def list_org_repos(org: str, prefix: str) -> list[Repo]:
    """The repositories of ``org`` named ``PREFIX-USERNAME``, listed with ``gh``.

    Raises:
        ValueError: for a bad ``org`` or ``prefix``, or if none matches.
        RuntimeError: if ``gh`` is missing or fails.
    """
    check_name(org, "--org")
    check_name(prefix, "--prefix")
    gh = os.environ.get("GH", "gh")
    command = [gh, "api", "--paginate", f"orgs/{org}/repos", "--jq", ".[].name"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=GIT_TIMEOUT_SECONDS)
    except FileNotFoundError:
        raise RuntimeError(f"cannot list --org {org}: the GitHub CLI {gh!r} was not found "
                           "(install gh or set GH)") from None
    if result.returncode != 0:
        raise RuntimeError(f"cannot list --org {org}: {gh} exited with {result.returncode}: {result.stderr.strip()}")
    names = sorted({n.strip() for n in result.stdout.splitlines()
                    if n.strip().lower().startswith(prefix.lower() + "-")})
    repos = [Repo(student_id(check_name(n, f"a repository of --org {org}"), prefix), org, n) for n in names]
    if not repos:
        raise ValueError(f"--org {org} has no repository named {prefix}-USERNAME (--prefix {prefix})")
    return _checked(repos, f"--org {org} --prefix {prefix}")


def select_repos(org: str | None, prefix: str | None, repos_file: str | None) -> list[Repo]:
    """``--repos FILE`` if given, else the ``--org``/``--prefix`` listing.

    Raises:
        ValueError: if neither is given (naming what is missing).
    """
    if repos_file:
        return read_repos(repos_file, org, prefix)
    if not org or not prefix:
        missing = "--prefix PREFIX" if org else "--org ORG" if prefix else "--org ORG --prefix PREFIX"
        raise ValueError(f"give --org ORG --prefix PREFIX or --repos FILE (missing {missing})")
    return list_org_repos(org, prefix)


def _git(*args: str, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}  # without credentials, fail rather than prompt
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env,
                            stdin=subprocess.DEVNULL, timeout=GIT_TIMEOUT_SECONDS)
    if check and result.returncode != 0:
        raise RuntimeError(f"git {args[0]} failed: {' '.join(result.stderr.split())}")
    return result


def chosen_commit(clone: Path, deadline: datetime | None) -> tuple[str, str] | None:
    """(sha, ISO committer date) of the commit to grade, or None if there is none."""
    if _git("rev-parse", "--verify", "--quiet", "HEAD^{commit}", cwd=clone, check=False).returncode != 0:
        return None  # an empty repository
    before = [f"--before={deadline:%Y-%m-%d %H:%M:%S +0000}"] if deadline else []
    sha = _git("rev-list", "-1", *before, "HEAD", cwd=clone).stdout.strip()
    if not sha:
        return None
    return sha, _git("show", "-s", "--format=%cI", sha, cwd=clone).stdout.strip()


def _read_record(folder: Path) -> dict | None:
    try:
        return json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _replace(staging: Path, target: Path) -> None:
    """Move ``staging`` to ``target``, replacing any previous ``target``."""
    if not target.exists():
        os.rename(staging, target)
        return
    trash = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
    os.rename(target, trash / target.name)
    os.rename(staging, target)
    shutil.rmtree(trash, ignore_errors=True)


def _without_links(left_out: list):
    """A tar extraction filter: tarfile's ``data`` filter, except that links
    (and any member the data filter refuses) are left out and listed in ``left_out``."""

    def keep(member: tarfile.TarInfo, destination: str) -> tarfile.TarInfo | None:
        if member.issym() or member.islnk():
            left_out.append(member.name)
            return None
        try:
            return tarfile.data_filter(member, destination)
        except tarfile.FilterError:
            left_out.append(member.name)
            return None

    return keep


def record_not_collected(repo: Repo, dest: Path, reason: str) -> None:
    """Give a student with no folder yet a record saying why nothing was collected."""
    target = Path(dest) / repo.student
    if os.path.lexists(target):
        return  # an earlier collection (or someone's folder) stays as it was
    staging = Path(tempfile.mkdtemp(prefix=f".{repo.student}.new.", dir=dest))
    staging.chmod(0o755)
    record = {"student": repo.student, "repo": repo.full_name, "commit": None, "not_collected": reason}
    (staging / RECORD).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    _replace(staging, target)


def collect_one(repo: Repo, dest: Path, deadline: datetime | None, url_template: str) -> str:
    """Collect one repository into ``dest/<student>``; return what happened
    ("new", "updated" or "unchanged", with the commit)."""
    target = Path(dest) / repo.student
    previous = _read_record(target)
    if target.exists() and previous is None:
        raise ValueError(f"{target} exists and was not written by collect (no {RECORD}): move it away")
    iso_deadline = deadline.isoformat().replace("+00:00", "Z") if deadline else None
    with tempfile.TemporaryDirectory(prefix="grader-collect-") as scratch:
        clone = Path(scratch) / "repo.git"
        _git("clone", "--bare", "--quiet", "--", url_template.format(owner=repo.owner, repo=repo.name), str(clone))
        found = chosen_commit(clone, deadline)
        record = {"student": repo.student, "repo": repo.full_name, "commit": found and found[0],
                  "commit_date": found and found[1], "deadline": iso_deadline}
        if not found:
            record["note"] = (f"no commit on the default branch at or before {iso_deadline}" if deadline
                              else "no commit on the default branch")
        summary = f"{found[0][:12]} ({found[1]})" if found else record["note"]
        if previous and (previous.get("repo"), previous.get("commit")) == (record["repo"], record["commit"]):
            return f"unchanged, {summary}"
        staging = Path(tempfile.mkdtemp(prefix=f".{repo.student}.new.", dir=dest))
        try:
            staging.chmod(0o755)
            if found:
                archive = Path(scratch) / "tree.tar"
                _git("archive", "--format=tar", "-o", str(archive), found[0], cwd=clone)
                links = []
                with tarfile.open(archive) as tar:
                    tar.extractall(staging, filter=_without_links(links))
                if links:
                    record["links_left_out"] = len(links)
                own = staging / RECORD  # a student's own record never counts
                if own.is_dir() and not own.is_symlink():
                    shutil.rmtree(own)
                own.unlink(missing_ok=True)
            (staging / RECORD).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
            _replace(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return f"{'updated' if previous else 'new'}, {summary}"


def collect(repos: list[Repo], dest: Path = paths.SUBMITTED_DIR, deadline: datetime | None = None,
            url_template: str = DEFAULT_URL_TEMPLATE, jobs: int = 4) -> dict[str, tuple[bool, str]]:
    """Collect every repository; return student -> (succeeded, what happened or why not).

    Raises:
        ValueError: for a bad ``url_template`` or a repository without the owner it needs.
    """
    try:
        url_template.format(owner="owner", repo="repo")
    except (KeyError, IndexError, ValueError):
        raise ValueError(f"--url-template may use only {{owner}} and {{repo}}, got {url_template!r}") from None
    if "{repo}" not in url_template:
        raise ValueError(f"--url-template should contain {{repo}}, got {url_template!r}")
    for repo in repos:
        if "{owner}" in url_template and not repo.owner:
            raise ValueError(f"repository {repo.name!r} has no owner for --url-template {url_template!r}: "
                             f"write it as owner/{repo.name} or give --org")
    Path(dest).mkdir(parents=True, exist_ok=True)

    def one(repo: Repo) -> tuple[str, tuple[bool, str]]:
        try:
            return repo.student, (True, collect_one(repo, Path(dest), deadline, url_template))
        except Exception as error:  # noqa: BLE001 - one repository never stops the others
            reason = f"{repo.full_name}: {' '.join(str(error).split())[:500] or type(error).__name__}"
            try:
                record_not_collected(repo, Path(dest), reason)
            except OSError as second:
                reason += f" (and its record could not be written: {second.strerror or second})"
            return repo.student, (False, reason)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = dict(pool.map(one, repos))
    report = {"collected": {s: m for s, (ok, m) in sorted(results.items()) if ok},
              "not_collected": {s: m for s, (ok, m) in sorted(results.items()) if not ok}}
    (Path(dest) / REPORT).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return results
