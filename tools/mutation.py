"""Mutation testing of the modules issue 17 names, with mutmut, and their scores.

mutmut (configured in pyproject.toml's [tool.mutmut]) copies the tree to mutants/, mutates
the modules there and, for each mutant, runs the tests of the unit and orchestrator tiers
that called the mutated function (it records which ones in a first, clean run). A mutant
is *killed* when one of them fails. The score of a module is

    killed / (mutants - equivalent mutants)

where "no tests" and "survived" both count as not killed, and the equivalent mutants (no
test can kill them: the code behaves the same) are listed, each with the line it changes
and why, in tools/equivalent_mutants.toml. A listed mutant whose line no longer matches is
stale and counts as a survivor again.

    .venv/bin/python -m tools.mutation run [MODULE ...]   # mutate and test, then print scores
    .venv/bin/python -m tools.mutation score [MODULE ...] # scores of the last run
    .venv/bin/python -m tools.mutation survivors MODULE   # each surviving mutant's diff
    .venv/bin/python -m tools.mutation equivalents        # the equivalent mutants, as a Markdown table

MODULE is a path of MODULES (``shared/validation``, ``starters/planning.py``...); none means
all of them. ``make mutation MODULE=...`` runs ``run`` under ``nice -n 15``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MUTANTS = REPO / "mutants"
EQUIVALENTS = Path(__file__).with_name("equivalent_mutants.toml")
TARGET_SCORE = 85.0

# The modules of issue 17 and the prefix of their mutants' names (the module's dotted path).
MODULES: dict[str, str] = {
    "shared/validation": "shared.validation.",
    "shared/aoai_ops.py": "shared.aoai_ops.",
    "orchestrators": "orchestrators.",
    "starters/planning.py": "starters.planning.",
    "local/aoai/models": "local.aoai.models.",
    "local/host/actions.py": "local.host.actions.",
    "local/host/replay.py": "local.host.replay.",
}
# mutmut's exit-code verdicts (mutmut.stats.status_by_exit_code) that count as killed.
KILLED_CODES = {1, 3, 36, 24, -24, 152, 255, 37}  # test failure, pytest error, timeouts, type check
NO_TESTS_CODES = {5, 33}
SKIPPED_CODES = {34}


def mutmut_command(*args: str) -> list[str]:
    """The mutmut console script of this interpreter (``python -m mutmut`` re-imports itself)."""
    return [str(Path(sys.executable).with_name("mutmut")), *args]


@dataclass
class Tally:
    """Verdicts of one module's mutants."""

    total: int = 0
    killed: int = 0
    survived: list[str] = field(default_factory=list)
    no_tests: list[str] = field(default_factory=list)
    skipped: int = 0
    not_checked: int = 0
    equivalent: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        counted = self.total - self.skipped - len(self.equivalent)
        return 100.0 * self.killed / counted if counted else 0.0


def verdicts() -> dict[str, int | None]:
    """Every mutant's exit code from the last run (mutants/**/*.py.meta), by mutant name."""
    found: dict[str, int | None] = {}
    for meta in MUTANTS.rglob("*.py.meta"):
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        found.update(codes)
        _SOURCE_OF.update(dict.fromkeys(codes, meta.relative_to(MUTANTS).with_suffix("")))
    return found


_SOURCE_OF: dict[str, Path] = {}  # mutant name -> its source file, relative to the repository


def module_of(mutant: str) -> str | None:
    return next((module for module, prefix in MODULES.items() if mutant.startswith(prefix)), None)


def equivalents() -> dict[str, dict[str, str]]:
    """The listed equivalent mutants: name -> {"line": the mutated line, "reason": why}."""
    return tomllib.loads(EQUIVALENTS.read_text(encoding="utf-8")) if EQUIVALENTS.exists() else {}


def mutant_diff(name: str) -> str:
    """mutmut's diff of one mutant (the original function against the mutated one), as `mutmut show`."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant  # mutmut is pinned: its API is stable here

    os.chdir(REPO)  # mutmut reads mutants/ and pyproject.toml from the working folder
    return get_diff_for_mutant(name, path=_SOURCE_OF[name])


def added_lines(diff: str) -> list[str]:
    return [line[1:].strip() for line in diff.splitlines()
            if line.startswith("+") and not line.startswith("+++")]


def tally(modules: list[str]) -> tuple[dict[str, Tally], list[str]]:
    """Tallies per module, and the stale entries of the equivalents list."""
    tallies = {module: Tally() for module in modules}
    listed = equivalents()
    stale: list[str] = []
    for name, code in sorted(verdicts().items()):
        module = module_of(name)
        if module not in tallies:
            continue
        counts = tallies[module]
        counts.total += 1
        if code in KILLED_CODES:
            counts.killed += 1
            if name in listed:
                stale.append(f"{name}: listed as equivalent but killed")
        elif code in SKIPPED_CODES:
            counts.skipped += 1
        elif code is None:
            counts.not_checked += 1
        elif name in listed and listed[name]["line"].strip() in added_lines(mutant_diff(name)):
            counts.equivalent.append(name)
        else:
            if name in listed:
                stale.append(f"{name}: listed as equivalent but its line changed; counted as a survivor")
            (counts.no_tests if code in NO_TESTS_CODES else counts.survived).append(name)
    known = set(verdicts())
    stale += [f"{name}: listed as equivalent but no such mutant" for name in listed
              if name not in known and module_of(name) in tallies]
    return tallies, stale


def print_scores(modules: list[str]) -> bool:
    """Print the per-module table; True when every module with mutants reaches TARGET_SCORE."""
    tallies, stale = tally(modules)
    print("| module | mutants | killed | survived | no tests | equivalent | not checked | score |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    ok = True
    for module, t in tallies.items():
        if not t.total:
            print(f"| {module} | not run | | | | | | |")
            continue
        ok &= t.score >= TARGET_SCORE and not t.not_checked
        print(f"| {module} | {t.total} | {t.killed} | {len(t.survived)} | {len(t.no_tests)} | "
              f"{len(t.equivalent)} | {t.not_checked} | {t.score:.2f} % |")
    for line in stale:
        print(f"stale: {line}")
    return ok


def run(modules: list[str]) -> int:
    """mutmut over ``modules``' mutants; its progress goes to mutants/mutmut-run.log."""
    env = dict(os.environ)
    lab = REPO.parent / "shared" / "datasets" / "lab"
    if "LAB_DATASETS" not in env and lab.is_dir():
        env["LAB_DATASETS"] = str(lab)  # tests/conftest.py looks beside mutants/ otherwise
    MUTANTS.mkdir(exist_ok=True)
    # Which tests call which function is recorded afresh: tests and the environment change between runs.
    (MUTANTS / "mutmut-stats.json").unlink(missing_ok=True)
    log = MUTANTS / "mutmut-run.log"
    patterns = [MODULES[module] + "*" for module in modules]
    print(f"mutmut run {' '.join(patterns)} (progress in {log.relative_to(REPO)})", flush=True)
    with log.open("w", encoding="utf-8") as out:
        answer = subprocess.run(mutmut_command("run", *patterns), cwd=REPO, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    if answer.returncode != 0:
        print(f"mutmut exited {answer.returncode}; last lines of {log}:", file=sys.stderr)
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-20:]
        print("\n".join(tail), file=sys.stderr)
        return answer.returncode
    return 0 if print_scores(modules) else 1


def changed_lines(diff: str) -> list[str]:
    """The removed and added lines of a mutant's diff (its headers left out)."""
    return [line for line in diff.splitlines()
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def survivors(modules: list[str]) -> int:
    """Each surviving (or untested) mutant: its name and the lines it changes."""
    tallies, _ = tally(modules)
    for module, t in tallies.items():
        for name in t.survived + t.no_tests:
            verdict = "no tests" if name in t.no_tests else "survived"
            print(f"{name} ({verdict})")
            for line in changed_lines(mutant_diff(name)):
                print(f"    {line}")
        counts = Counter({"survived": len(t.survived), "no tests": len(t.no_tests)})
        print(f"# {module}: {dict(counts)}")
    return 0


def print_equivalents(modules: list[str]) -> int:
    """The listed equivalent mutants as a Markdown table (docs/testing.md)."""
    print("| mutant | mutated line | why no test can tell |\n| --- | --- | --- |")
    for name, entry in equivalents().items():
        if module_of(name) in modules:
            line = entry["line"].replace("|", "\\|")
            print(f"| `{name}` | `{line}` | {entry['reason']} |")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("run", "score", "survivors", "equivalents"))
    parser.add_argument("modules", nargs="*", metavar="MODULE", help=f"any of {', '.join(MODULES)}")
    args = parser.parse_args(argv)
    unknown = [m for m in args.modules if m.rstrip("/") not in MODULES]
    if unknown:
        parser.error(f"unknown module(s) {unknown}; use {', '.join(MODULES)}")
    modules = [m.rstrip("/") for m in args.modules] or list(MODULES)
    if args.command == "run":
        return run(modules)
    if args.command == "survivors":
        return survivors(modules)
    if args.command == "equivalents":
        return print_equivalents(modules)
    return 0 if print_scores(modules) else 1


if __name__ == "__main__":
    sys.exit(main())
