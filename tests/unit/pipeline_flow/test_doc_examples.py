"""Every example in README.md and docs/*.md runs as written: JSON blocks and `python -m local` / curl lines.

JSON blocks are recognised by their keys (run settings, a POST /api/finetune body, a validation
report) or tagged with an HTML comment just before the block: ``<!-- example: settings
prices={...} -->`` (run settings checked with those FINETUNE_PRICES_JSON prices, as the text
around it says to set), ``<!-- example: settings sample=azure-faq-dpo -->`` (run settings
checked with that sample's files, for a method that trains on another format),
``<!-- example: prices -->`` (a FINETUNE_PRICES_JSON value), ``<!-- example: output -->``
(documented output, JSON only) or ``<!-- example: partial -->`` (deliberately incomplete: not
checked). An untagged block that is none of these fails the test.
Run settings are checked as ``drop`` checks a run folder before uploading it (settle, validate,
budget; ``local/run_check.py``), as the ``finetune.json`` of the sample's files
(samples/azure-faq), with the app's default settings: an example whose cap has no price, or is
below the sample's estimated cost, fails here as it would for a user.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import shlex
from pathlib import Path

import pytest

from local.commands import COMMANDS
from local.run_check import check_run
from shared.run_settings import TOP_KEYS, parse_run_settings
from shared.settings import load_settings
from starters.planning import BODY_KEYS, parse_start_body

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[3]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
SAMPLE = REPO / "samples" / "azure-faq"
# A fence opens a line (a ``` inside a sentence is not one).
BLOCK = re.compile(r"(?:<!-- example: (?P<tag>[^\n]*?) -->\n)?"
                   r"^[ \t]*```(?P<lang>\w*)\n(?P<body>.*?)^[ \t]*```", re.S | re.M)
ROUTES = [re.compile(p) for p in (r"^/api/finetune$", r"^/api/finetune/[^/]+$",
                                  r"^/api/finetune/[^/]+/(approve|reject|cancel|pause|resume)$",
                                  r"^/api/finetune/[^/]+/(metrics|reports)$",
                                  r"^/api/finetune/[^/]+/reports/[^/]+$", r"^/api/ui$",
                                  r"^/runtime/webhooks/durabletask/instances/[^/]+$")]


def blocks(lang: str) -> list[tuple[str, str, str | None]]:
    found = []
    for doc in DOCS:
        for match in BLOCK.finditer(doc.read_text(encoding="utf-8")):
            if match["lang"] == lang:
                found.append((f"{doc.name}: {match['body'][:60]!r}", match["body"], match["tag"]))
    return found


def _sample(tag: str | None) -> Path:
    found = re.search(r"sample=([\w-]+)", tag or "")
    return REPO / "samples" / found.group(1) if found else SAMPLE


def _prices(tag: str | None) -> dict:
    raw = re.search(r"prices=(\{.*\})", tag or "")
    return {"FINETUNE_PRICES_JSON": raw.group(1)} if raw else {}


@pytest.mark.parametrize(("where", "body", "tag"), blocks("json"), ids=lambda v: str(v)[:40])
def test_every_json_example_is_what_it_claims(where: str, body: str, tag: str | None, tmp_path: Path) -> None:
    if tag == "partial":
        return
    data = json.loads(body)
    if tag == "output" or (isinstance(data, dict) and "schema_version" in data):
        return
    if tag == "prices":
        assert load_settings({"FINETUNE_PRICES_JSON": body}).price_overrides, where
        return
    settings = load_settings(_prices(tag))
    assert isinstance(data, dict), f"{where}: untagged JSON block; tag it (see this test's docstring)"
    if set(data) <= BODY_KEYS and "training_file" in data:
        parse_start_body(data, settings)
        return
    assert set(data) <= TOP_KEYS, f"{where}: untagged JSON block that is neither run settings nor a body"
    parse_run_settings(data, settings)
    (tmp_path / "finetune.json").write_text(body, encoding="utf-8")
    sample = _sample(tag)
    files = [sample / "training.jsonl", sample / "validation.jsonl", tmp_path / "finetune.json"]
    check = check_run([(f"example/{path.name}", path) for path in files], settings, workers=1)
    assert check.ok, f"{where}: refused before upload: {check.problem}"
    assert check.settings is not None and check.reports.keys() == {"training", "validation"}


def commands(body: str) -> list[list[str]]:
    """The shell commands of a block as words (quotes may span lines; # starts a comment)."""
    found, pending = [], ""
    for line in body.replace("\\\n", " ").splitlines():
        pending = f"{pending}\n{line}" if pending else line
        try:
            words = shlex.split(pending, comments=True)
        except ValueError:  # an open quote: the command goes on on the next line
            continue
        pending = ""
        while words and re.match(r"^[A-Z_]+=", words[0]):  # NAME=value before the command
            words = words[1:]
        if words:
            found.append(words)
    return found


def command_lines() -> list[tuple[str, list[str]]]:
    return [(where, words) for where, body, _ in blocks("sh") for words in commands(body)
            if words[0] == "curl" or words[1:3] == ["-m", "local"]]


@pytest.mark.parametrize(("where", "words"), command_lines(), ids=lambda v: str(v)[:50])
def test_every_command_example_parses_as_printed(where: str, words: list[str]) -> None:
    line = " ".join(words)
    if words[0] == "curl":
        url = next(w for w in words if w.startswith(("$HOST", "http")))
        path = re.sub(r"^(\$HOST|https?://[^/]+)", "", url).split("?")[0]
        assert any(route.match(path) for route in ROUTES), f"{where}: {path} is not a route of the app"
        return
    assert words[:3] == [".venv/bin/python", "-m", "local"], f"{where}: run it as printed: {line}"
    command, rest = words[3], words[4:]
    parser = argparse.ArgumentParser(prog=f"python -m local {command}", exit_on_error=False)
    importlib.import_module(COMMANDS[command]).add_arguments(parser)
    parser.parse_args(rest)
