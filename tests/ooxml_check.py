"""Every workbook a test leaves in its ``tmp_path`` goes through Microsoft's validator.

Why: a workbook Excel has to repair is a broken deliverable even when openpyxl, our own
reader and LibreOffice open it happily (they are lenient). ``../shared/tools/ooxml/validate``
runs the Open XML SDK validator (on mono) plus a lint of the repair triggers the SDK does
not check, so running it on what the tests write turns "Excel would show a repair prompt"
into a test failure, for every writer at once (connector, template, report, add-in,
owned sheets) instead of one hand-written assertion per feature.

How it works (registered from ``tests/conftest.py``):

* At each test's teardown the ``.xlsx``/``.xlsm`` files under its ``tmp_path`` (all of
  them written during the test: ``tmp_path`` starts empty) are snapshotted into a
  staging folder, so later changes, read-only modes or pytest's clean-up cannot affect
  the check (and the validator cannot open read-only files). Files byte-identical to a
  shared fixture are skipped (nothing of ours wrote them), and so are Excel owner files
  (``~$name.xlsx``: lock files, not workbooks).
* The writer's backups (``.pmo-sync/backups``: the earlier versions of a workbook, i.e.
  the intermediate states a test went through) are more than half of all files and
  double the cost, so they are checked when ``CI`` is set or ``PMO_OOXML_BACKUPS=1``,
  and left out of local runs otherwise (``PMO_OOXML_BACKUPS=0`` leaves them out in CI).
* A file named like a shared fixture (``raid_log.xlsx``, or its backups
  ``raid_log.<stamp>.xlsx``) is validated with that fixture as ``--baseline``: what
  Excel itself wrote (features newer than the validator's 2013 schemas) is not ours.
* Files without a baseline: one validator call per test. Files with one: one call per
  baseline for everything queued when a worker gets to it, since each call validates
  its baseline again (2 s for the big fixture). Calls run in a thread pool while the
  next tests run (about half a second of mono start-up per file); a finding is reported
  as an error at the teardown of the test that wrote the file, once the run is over.
  ``PMO_OOXML_WORKERS=0`` validates synchronously inside each teardown instead.
* Identical files (same bytes, same baseline) are validated once per session.
* ``@pytest.mark.no_ooxml_check`` opts a test out (deliberately broken or foreign
  workbooks); ``@pytest.mark.no_ooxml_check("corrupt*.xlsx")`` only the files whose
  name matches one of the globs.
* Without the validator (no ``validate`` script, or no mono): one warning for the
  session locally; when ``CI`` is set, every test that leaves a workbook errors.
"""

from __future__ import annotations

import concurrent.futures
import fnmatch
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from _pytest.reports import TestReport

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"
DEFAULT_VALIDATOR = SHARED / "tools" / "ooxml" / "validate"
FIXTURES = SHARED / "fixtures" / "workbooks"
SUFFIXES = (".xlsx", ".xlsm")
MARKER = "no_ooxml_check"
MARKER_LINE = (
    f"{MARKER}(*globs): the test leaves deliberately broken or foreign workbooks in "
    "tmp_path; they are not run through the Open XML validator (all of them, or only "
    "those whose file name matches one of the globs)"
)
INSTALL_HINT = (
    "apt-get install -y --no-install-recommends mono-mcs mono-runtime "
    "libmono-windowsbase4.0-cil libmono-system-xml-linq4.0-cil"
)
CALL_TIMEOUT = 600  # seconds; the big Excel-made fixture takes about 2 s per file

# Findings in tests whose files belong to other people, reported to them. Until they are
# fixed these are printed in the terminal summary instead of failing the run; an entry
# whose test no longer has findings is reported as stale so it gets removed.
PENDING: dict[str, str] = {}  # nodeid -> why its findings are known and not yet fixed

Verdict = concurrent.futures.Future  # of list[str]: the problem lines of one staged file


def validator_path() -> Path:
    """The validate script (env ``PMO_OOXML_VALIDATE`` overrides the shared location)."""
    return Path(os.environ.get("PMO_OOXML_VALIDATE", str(DEFAULT_VALIDATOR)))


def missing_reason(validator: Path) -> str | None:
    """Why the validator cannot run here, or None when it can."""
    if not validator.is_file():
        return f"the Open XML validator {validator} is not available"
    if shutil.which("mono") is None or shutil.which("mcs") is None:
        return f"mono is not installed, so {validator} cannot run ({INSTALL_HINT})"
    return None


def fixture_for(path: Path, fixtures: dict[str, Path]) -> Path | None:
    """The shared fixture `path` is a copy (or a pmo-sync backup) of, judged by its name.

    Backups are named ``<stem>.<UTC timestamp><ext>`` in ``.pmo-sync/backups``."""
    if path.name in fixtures:
        return fixtures[path.name]
    if path.parent.name == "backups":
        for name, fixture in fixtures.items():
            stem, ext = os.path.splitext(name)
            if path.name.startswith(stem + ".") and path.suffix == ext:
                return fixture
    return None


def _is_backup(path: Path, tmp: Path) -> bool:
    """A copy the writer kept of an earlier version (``.pmo-sync/backups``)."""
    return ".pmo-sync" in path.relative_to(tmp).parts[:-1]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class _Owner:
    """What one test left to validate: (name shown, verdict) per file."""

    item: pytest.Item
    checks: list[tuple[str, Verdict]] = field(default_factory=list)
    baselines: set[str] = field(default_factory=set)


class OoxmlCheck:
    """The pytest plugin (one instance per session)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.validator = validator_path()
        self.missing = missing_reason(self.validator)
        self.ci = bool(os.environ.get("CI"))
        workers = os.environ.get("PMO_OOXML_WORKERS", "").strip()
        self.workers = int(workers) if workers else min(4, os.cpu_count() or 1)
        backups = os.environ.get("PMO_OOXML_BACKUPS", "").strip()
        self.backups_too = backups not in ("", "0") if backups else self.ci
        self.fixtures = (
            {p.name: p for p in sorted(FIXTURES.iterdir()) if p.suffix in SUFFIXES}
            if FIXTURES.is_dir()
            else {}
        )
        self.fixture_hashes: set[str] | None = None
        self.staging: Path | None = None
        self.staged_baselines: dict[Path, Path] = {}
        self.pool: concurrent.futures.ThreadPoolExecutor | None = None
        self.lock = threading.Lock()  # guards the queues and the tallies below
        self.queued: dict[Path, list[tuple[Path, Verdict]]] = {}  # baseline -> waiting
        self.verdicts: dict[tuple[str, str], Verdict] = {}  # (sha256, baseline) -> verdict
        self.owners: list[_Owner] = []
        self.counter = 0
        self.calls = 0
        self.files = 0
        self.backups = 0
        self.seconds = 0.0
        self.skipped_missing = 0
        self.warm = threading.Lock()
        self.warmed = threading.Event()
        self.pending_hits: list[str] = []
        self.pending_seen: set[str] = set()
        self.pending_dirty: set[str] = set()

    # -- pytest hooks ----------------------------------------------------------------
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        if self.missing and not self.ci:
            self.config.issue_config_time_warning(
                pytest.PytestWarning(
                    f"{self.missing}: workbooks written by the tests are not validated "
                    "(CI requires it)"
                ),
                stacklevel=2,
            )

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item, nextitem: pytest.Item | None):
        tmp = getattr(item, "funcargs", {}).get("tmp_path")
        result = yield
        if isinstance(tmp, Path) and tmp.is_dir():
            self._collect(item, tmp)
        return result

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session):
        try:
            result = yield
        except KeyboardInterrupt:
            self._abandon()
            raise
        except BaseException:
            self._finish(session)  # e.g. --maxfail reached: still report what was found
            raise
        self._finish(session)
        return result

    def pytest_terminal_summary(self, terminalreporter) -> None:
        for text in self.pending_hits:
            terminalreporter.write_line(f"ooxml-check (known, not failing): {text}")
        for nodeid in sorted(self.pending_seen - self.pending_dirty):
            terminalreporter.write_line(
                f"ooxml-check: {nodeid} is in PENDING but wrote no invalid workbook: "
                "remove its entry from tests/ooxml_check.py"
            )
        if self.missing and self.skipped_missing:
            terminalreporter.write_line(
                f"ooxml-check: {self.skipped_missing} workbook(s) NOT validated: {self.missing}"
            )
        elif self.files:
            terminalreporter.write_line(
                f"ooxml-check: {self.files} workbook(s) ({self.backups} of them backups) in "
                f"{self.calls} validator call(s), {self.seconds:.1f} s of validator time"
            )

    # -- collecting ------------------------------------------------------------------
    def _candidates(self, item: pytest.Item, tmp: Path) -> Iterator[Path]:
        globs: list[str] = []
        for mark in item.iter_markers(MARKER):
            if not mark.args:
                return
            globs.extend(str(a) for a in mark.args)
        for path in sorted(tmp.rglob("*")):
            if path.suffix.lower() not in SUFFIXES or path.name.startswith("~$"):
                continue
            if path.is_symlink() or not path.is_file():
                continue
            if not self.backups_too and _is_backup(path, tmp):
                continue
            if any(fnmatch.fnmatch(path.name, g) for g in globs):
                continue
            yield path

    def _is_fixture_copy(self, digest: str) -> bool:
        if self.fixture_hashes is None:
            self.fixture_hashes = {_sha256(p) for p in self.fixtures.values()}
        return digest in self.fixture_hashes

    def _collect(self, item: pytest.Item, tmp: Path) -> None:
        found = list(self._candidates(item, tmp))
        if not found:
            return
        if self.missing:
            self.skipped_missing += len(found)
            if self.ci:
                raise pytest.fail.Exception(
                    f"{self.missing} (required when CI is set); "
                    f"{len(found)} workbook(s) of this test left unvalidated",
                    pytrace=False,
                )
            return
        if self.staging is None:
            self.staging = Path(tempfile.mkdtemp(prefix="pmo-ooxml-check-"))
        self.counter += 1
        folder = self.staging / f"{self.counter:05d}"
        owner = _Owner(item)
        fresh: dict[Path | None, list[tuple[Path, Verdict]]] = {}
        for path in found:
            try:
                digest = _sha256(path)
            except OSError:
                continue  # unreadable on purpose (permission tests): nothing to validate
            if self._is_fixture_copy(digest):
                continue
            baseline = fixture_for(path, self.fixtures)
            shown = str(path.relative_to(tmp))
            if baseline is not None:
                owner.baselines.add(baseline.name)
            key = (digest, str(baseline))
            verdict = self.verdicts.get(key)
            if verdict is None:
                staged = folder / shown
                staged.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, staged)
                verdict = self.verdicts[key] = concurrent.futures.Future()
                staged_baseline = self._baseline_copy(baseline) if baseline else None
                fresh.setdefault(staged_baseline, []).append((staged, verdict))
                self.files += 1
                self.backups += path.parent.name == "backups"
            owner.checks.append((shown, verdict))
        if not owner.checks:
            return
        for staged_baseline, files in fresh.items():
            self._submit(files, staged_baseline)
        if self.workers <= 0:
            problems = self._failure(owner)
            if problems:
                raise pytest.fail.Exception(problems, pytrace=False)
        else:
            self.owners.append(owner)

    def _baseline_copy(self, fixture: Path) -> Path:
        """A writable copy of a fixture (the validator cannot open read-only files)."""
        assert self.staging is not None
        copy = self.staged_baselines.get(fixture)
        if copy is None:
            copy = self.staging / "baselines" / fixture.name
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(fixture, copy)
            self.staged_baselines[fixture] = copy
        return copy

    def _submit(self, files: list[tuple[Path, Verdict]], baseline: Path | None) -> None:
        if self.workers <= 0:
            self._validate(files, baseline)
            return
        if self.pool is None:
            self.pool = concurrent.futures.ThreadPoolExecutor(
                self.workers, thread_name_prefix="ooxml-check"
            )
        if baseline is None:
            self.pool.submit(self._validate, files, None)
            return
        with self.lock:
            waiting = self.queued.setdefault(baseline, [])
            idle = not waiting  # else a drain for this baseline is already queued
            waiting.extend(files)
        if idle:
            self.pool.submit(self._drain, baseline)

    def _drain(self, baseline: Path) -> None:
        with self.lock:
            files = self.queued.pop(baseline, [])
        if files:
            self._validate(files, baseline)

    # -- validating ------------------------------------------------------------------
    def _validate(self, files: list[tuple[Path, Verdict]], baseline: Path | None) -> None:
        """Run the validator on `files` and settle their verdicts. The first call runs
        alone: it compiles the validator into the user's cache, and a call racing it
        could run a half-written executable."""
        try:
            if not self.warmed.is_set():
                with self.warm:
                    if not self.warmed.is_set():
                        try:
                            found = self._call([p for p, _ in files], baseline)
                        finally:
                            self.warmed.set()
                        self._settle(files, found)
                        return
            self._settle(files, self._call([p for p, _ in files], baseline))
        except BaseException as exc:  # a verdict must never stay pending
            for _, verdict in files:
                if not verdict.done():
                    verdict.set_result([f"validator could not run: {type(exc).__name__}: {exc}"])
            raise

    @staticmethod
    def _settle(files: list[tuple[Path, Verdict]], found: dict[Path, list[str]]) -> None:
        for staged, verdict in files:
            verdict.set_result(found.get(staged, []))

    def _call(self, files: list[Path], baseline: Path | None) -> dict[Path, list[str]]:
        """One run of the validate script. It prints FILE<TAB>part<TAB>where<TAB>message
        with the paths it was given (absolute ones: it changes directory to run mono)."""
        args = [str(p) for p in files]
        if baseline is not None:
            args += ["--baseline", str(baseline)]
        started = time.perf_counter()
        proc = subprocess.run(
            [str(self.validator), *args],
            capture_output=True,
            text=True,
            timeout=CALL_TIMEOUT,
            env=dict(os.environ, PYTHON=sys.executable),  # lint.py needs lxml
            check=False,
        )
        with self.lock:
            self.seconds += time.perf_counter() - started
            self.calls += 1
        out: dict[Path, list[str]] = {p: [] for p in files}
        for line in proc.stdout.splitlines():
            name, _, rest = line.partition("\t")
            if Path(name) in out:
                out[Path(name)].append(rest.replace("\t", " | "))
        if proc.returncode not in (0, 1) or (proc.returncode == 1 and not any(out.values())):
            note = (proc.stderr.strip() or proc.stdout.strip() or "no output")[-2000:]
            for problems in out.values():
                problems.append(f"validator failed (exit {proc.returncode}): {note}")
        return out

    # -- reporting -------------------------------------------------------------------
    def _problems(self, owner: _Owner) -> str:
        lines: list[str] = []
        for shown, verdict in owner.checks:
            lines.extend(f"{shown}: {problem}" for problem in verdict.result())
        if not lines:
            return ""
        against = (
            f" (compared with the Excel-made {', '.join(sorted(owner.baselines))})"
            if owner.baselines
            else ""
        )
        return (
            f"Open XML validation{against}: the workbooks this test wrote have "
            f"{len(lines)} problem(s) Excel would repair or reject:\n  "
            + "\n  ".join(lines)
            + "\nFix the writer that produced them; a test that writes broken or foreign "
            f"workbooks on purpose is marked @pytest.mark.{MARKER}."
        )

    def _failure(self, owner: _Owner) -> str:
        """The error text for a test's findings ("" for none, or for a PENDING test)."""
        text = self._problems(owner)
        base = owner.item.nodeid.split("[", 1)[0]
        if base not in PENDING:
            return text
        self.pending_seen.add(base)
        if text:
            self.pending_dirty.add(base)
            first = text.splitlines()[1].strip()
            self.pending_hits.append(f"{owner.item.nodeid}: {PENDING[base]} ({first})")
        return ""

    def _abandon(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
        self.owners.clear()

    def _finish(self, session: pytest.Session) -> None:
        """Wait for the pending calls, then report each finding as an error at the
        teardown of the test that wrote the workbook."""
        if self.pool is not None:
            self.pool.shutdown(wait=True)
        try:
            for owner in self.owners:
                text = self._failure(owner)
                if text:
                    item = owner.item
                    report = TestReport(
                        item.nodeid,
                        item.location,
                        dict.fromkeys(item.keywords, 1),
                        "failed",
                        text,
                        "teardown",
                    )
                    session.config.hook.pytest_runtest_logreport(report=report)
        finally:
            self.owners.clear()
            if self.staging is not None:
                shutil.rmtree(self.staging, ignore_errors=True)
