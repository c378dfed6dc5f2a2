"""`python -m local validate` as a user runs it, and validate_path on several processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from shared.validation import ValidationOptions, validate_chunks, validate_path
from shared.validation import parallel as parallel_module
from tests.unit.validation.helpers import chat, jsonl, simple

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]


def _validate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "local", "validate", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def valid_file(tmp_path: Path) -> Path:
    path = tmp_path / "train.jsonl"
    path.write_bytes(jsonl(*(simple(i) for i in range(12))))
    return path


def test_a_valid_file_exits_0_with_a_summary(valid_file: Path) -> None:
    done = _validate(str(valid_file))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("VALID") and "12 valid example(s)" in done.stdout


def test_an_invalid_file_exits_1_and_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(jsonl(*(simple(i) for i in range(12)), chat(("user", "hi"))))
    done = _validate(str(path))
    assert done.returncode == 1
    assert "line 13: [no_assistant_message]" in done.stdout


def test_json_prints_only_the_report(valid_file: Path) -> None:
    done = _validate(str(valid_file), "--json", "--model", "gpt-35-turbo", "--epochs", "2", "--price", "8")
    assert done.returncode == 0
    report = json.loads(done.stdout)
    assert report["model"] == "gpt-35-turbo-0125" and report["encoding"] == "cl100k_base"
    assert report["billing"]["n_epochs"] == 2 and report["billing"]["price_usd_per_million"] == 8.0


@pytest.mark.parametrize("args", [["missing.jsonl"], ["{file}", "--bogus"], ["{file}", "--model", "gpt-9"],
                                  ["{file}", "--max-tokens", "0"]])
def test_usage_errors_exit_2_with_one_line(valid_file: Path, args: list[str]) -> None:
    done = _validate(*(arg.format(file=valid_file) for arg in args))
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_an_unknown_model_with_max_tokens_is_accepted(valid_file: Path) -> None:
    done = _validate(str(valid_file), "--model", "my-model", "--max-tokens", "500", "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["billing"]["token_limit"] == 500


def test_validate_path_on_processes_equals_one_streaming_pass(tmp_path: Path, monkeypatch) -> None:
    lines = [simple(i % 50) if i % 97 else "{broken" for i in range(3000)]
    lines[1234] = ""
    data = b"\xef\xbb\xbf" + jsonl(*lines, newline="\r\n", final_newline=False)
    path = tmp_path / "big.jsonl"
    path.write_bytes(data)
    monkeypatch.setattr(parallel_module, "MIN_PARALLEL_BYTES", 0)
    options = ValidationOptions()
    single = validate_chunks([data], options, total_bytes=len(data)).to_dict()
    for workers in (2, 3):
        assert validate_path(path, options, workers=workers).to_dict() == single
    assert single["error_counts"] == {"invalid_json": 31}
    assert single["warning_counts"]["duplicate_example"] == 3000 - 31 - 1 - 50
