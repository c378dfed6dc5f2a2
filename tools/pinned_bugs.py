"""Re-apply the ten deliberate bugs of issue 17 and show that the tests pinned on them fail.

Each bug is a one-line edit of the production code. For each, in a scratch copy of the
repository (the checkout is never touched): apply the edit, run the tests that pin it
(they must fail), undo it, run them again (they must pass). Prints one Markdown row per
bug with the first failure line, the evidence docs/testing.md records.

    .venv/bin/python -m tools.pinned_bugs            # all ten
    .venv/bin/python -m tools.pinned_bugs budget     # the bugs whose name contains "budget"
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tools.scratch import copy_checkout

REPO = Path(__file__).resolve().parent.parent
MONITOR = "tests/orchestrators/test_monitor.py"


@dataclass(frozen=True)
class Bug:
    name: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]


BUGS: tuple[Bug, ...] = (
    Bug("validation: an image allowed in a system message", "shared/validation/rules.py",
        '                if role != "user":', '                if role == "assistant":',
        ("tests/unit/validation/test_rules.py::test_each_broken_rule_is_reported_with_its_code_and_line",)),
    Bug("validation: special-token warning lost for cached texts", "shared/validation/tokens.py",
        "            self._cache.pop(text, None)\n", "            pass\n",
        ("tests/unit/validation/test_rules.py::"
         "test_a_special_token_in_a_value_shared_by_every_line_is_warned_on_each_line",)),
    Bug("job lookup: submit_job's fallback by training file id removed", "shared/aoai_ops.py",
        " or job.training_file == training_file_id:", ":",
        ("tests/unit/pipeline_effects/test_job_lookup.py::"
         "test_submit_finds_the_runs_job_by_its_training_file_when_the_service_dropped_the_metadata",)),
    Bug("job lookup: find_file_by_name returns the oldest file", "shared/aoai_ops.py",
        "file.created_at > found.created_at", "file.created_at < found.created_at",
        ("tests/unit/pipeline_effects/test_job_lookup.py::"
         "test_the_newest_file_of_that_name_is_found_whatever_the_listing_order",)),
    Bug("monitor: consecutive-failure counter never reset", "orchestrators/monitor.py",
        "    state.failures = 0\n", "",
        (f"{MONITOR}::test_outages_on_every_other_poll_never_add_up_to_unavailable",)),
    Bug("monitor: backoff never reset on progress", "orchestrators/monitor.py",
        "next_interval(interval, changed,", "next_interval(interval, False,",
        (f"{MONITOR}::test_the_backoff_drops_to_the_minimum_as_soon_as_the_job_moves",
         f"{MONITOR}::test_a_job_that_moves_on_every_poll_is_polled_at_the_minimum_interval")),
    Bug("budget: cost > cap changed to >=", "orchestrators/stages.py",
        "    if cost > cap:", "    if cost >= cap:",
        ("tests/orchestrators/test_finetune_failures.py::test_an_estimate_exactly_at_the_cap_goes_on",)),
    Bug("budget: a dollar of slack", "orchestrators/stages.py",
        "    if cost > cap:", "    if cost > cap + 1:",
        ("tests/orchestrators/test_finetune_failures.py::test_budget_refused_when_the_estimate_exceeds_the_cap",)),
    Bug("emulator quota: running jobs counted against the 20-queued limit", "local/aoai/models/jobs.py",
        'if j.status == "pending")', 'if j.status in ("pending", "running"))',
        ("tests/unit/aoai/test_models.py::test_only_queued_jobs_count_against_the_queue_limit",)),
    Bug("host: history-order guard removed from the non-determinism check", "local/host/actions.py",
        "    _check_history_order(leaves, history)\n", "",
        ("tests/unit/host/test_replay_and_actions.py::"
         "test_an_activity_changed_at_a_completed_step_is_non_determinism_even_if_its_old_name_comes_later",)),
)


def _pytest(root: Path, tests: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
                          cwd=root, capture_output=True, text=True, timeout=600)


def first_failure(output: str) -> str:
    """The first assertion line pytest printed (``E ...``), or its summary line."""
    for line in output.splitlines():
        if line.startswith("E "):
            return re.sub(r"\s+", " ", line[1:]).strip()
    return output.strip().splitlines()[-1] if output.strip() else "(no output)"


def check(bug: Bug, root: Path) -> tuple[bool, str]:
    """(pinned, evidence): the tests fail with the bug and pass without it."""
    path = root / bug.file
    original = path.read_text(encoding="utf-8")
    occurrences = original.count(bug.old)
    if occurrences != 1:
        return False, f"the edit no longer applies: {bug.old!r} occurs {occurrences}x in {bug.file}"
    path.write_text(original.replace(bug.old, bug.new), encoding="utf-8")
    try:
        broken = _pytest(root, bug.tests)
    finally:
        path.write_text(original, encoding="utf-8")
    clean = _pytest(root, bug.tests)
    if broken.returncode != 1:
        return False, f"with the bug the tests exited {broken.returncode}: {first_failure(broken.stdout)}"
    if clean.returncode != 0:
        return False, f"without the bug the tests exited {clean.returncode}: {first_failure(clean.stdout)}"
    return True, first_failure(broken.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("match", nargs="?", default="", help="only the bugs whose name contains this")
    args = parser.parse_args(argv)
    bugs = [bug for bug in BUGS if args.match.lower() in bug.name.lower()]
    if not bugs:
        parser.error(f"no bug matches {args.match!r}")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="pinned-bugs-") as scratch:
        root = copy_checkout(REPO, Path(scratch))
        print("| bug | pinning test | first failure line with the bug |\n| --- | --- | --- |")
        for bug in bugs:
            pinned, evidence = check(bug, root)
            failures += not pinned
            tests = "<br>".join(test.split("::", 1)[1] for test in bug.tests)
            mark = "" if pinned else "NOT PINNED: "
            print(f"| {bug.name} | `{tests}` | {mark}`{evidence.replace('|', '/')[:300]}` |", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
