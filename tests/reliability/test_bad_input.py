"""Bad input: malformed datasets, run settings, blob names and HTTP bodies.

All the malformed run folders are dropped at once into the shared stack and followed
together (one wave). Each run must end Failed at the right stage with its code (every
validation error code appears in its validation.training.json), the dataset blobs must be
untouched (ETag and MD5 before and after), and nothing may reach the emulator. Two heavy
files run on their own: a 200 MB file of random bytes (the reliability stack caps files at
150 MiB, so it also shows file_too_large) and a single 50 MB line. HTTP bodies with path
traversal and the like are refused with 400 before any run exists.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import pytest

from local.stack_client import StackClient
from shared import run_ids
from shared.validation import codes
from tests.e2e.steps import drop, finished
from tests.reliability.datasets import (
    BAD_LINES,
    bad_datasets,
    bad_method_settings,
    bad_settings,
    chat_dataset,
    method_cases,
)
from tests.reliability.harness import CrashableStack
from tests.reliability.steps import (
    blob_fingerprint,
    emulator_state,
    files_of_run_folder,
    jobs_of,
    reset_emulator,
)

pytestmark = pytest.mark.reliability
WAVE_TIMEOUT_S = 180
SPACED_RUN = "mon jeu ñ 数据"


class Case:
    """One malformed run folder: what is dropped, and what the run must say."""

    def __init__(self, label: str, files: dict[str, bytes], stage: str, code: str,
                 report_code: str | None = None, run: str | None = None) -> None:
        self.label, self.files, self.stage, self.code = label, files, stage, code
        self.report_code = report_code
        self.run = run or f"bad-{label.replace('_', '-')}-{uuid.uuid4().hex[:6]}"
        self.before: dict[str, tuple[str, str]] = {}
        self.instance_id = ""
        self.status: dict[str, Any] = {}


def _cases() -> list[Case]:
    cases = [Case(code, {"training.jsonl": data}, "validate", "invalid_dataset", report_code=code)
             for code, data in bad_datasets().items() if code != "invalid_preference_example"]
    good = chat_dataset(12)
    cases += [Case(f"settings-{label}", {"finetune.json": data, "training.jsonl": good}, "settle",
                   "invalid_run_settings") for label, data in bad_settings().items()]
    cases.append(Case("two-training-files", {"train_a.jsonl": good, "train_b.jsonl": good}, "settle",
                      "invalid_dataset"))
    # The run's method: its data rules (every line checked), settings, grader, tier and files.
    methods = method_cases()
    cases += [Case(label, methods.pop(label), "validate", "invalid_dataset", report_code=label)
              for label in ("last_message_not_user", "missing_grader_field", "invalid_preference_example")]
    cases.append(Case("rft-without-validation", methods.pop("rft-without-validation"), "preflight",
                      "validation_file_required"))
    cases.append(Case("parent-model-missing", methods.pop("parent-model-missing"), "preflight",
                      "parent_model_not_found"))
    cases += [Case(f"settings-{label}", {"finetune.json": data, "training.jsonl": good}, "settle", code)
              for label, (data, code) in bad_method_settings().items()]
    cases.append(Case("spaces-non-ascii", {"training set é.jsonl": good + BAD_LINES["invalid_json"]},
                      "validate", "invalid_dataset", report_code="invalid_json",
                      run=f"{SPACED_RUN} {uuid.uuid4().hex[:6]}"))
    return cases


CASES = _cases()
assert len(CASES) >= 25
# + the 200 MB file (file_too_large); mixed_formats needs a file checked without a method (unit tests)
assert {c.report_code for c in CASES} >= set(codes.ERROR_CODES) - {codes.FILE_TOO_LARGE, codes.MIXED_FORMATS}


def _training_name(case: Case) -> str:
    return sorted(name for name in case.files if name != "finetune.json")[0]


def _instance_of(client: StackClient, case: Case, etags: dict[str, str]) -> str:
    name = _training_name(case)
    return run_ids.instance_id(case.run, f"{case.run}/{name}", etags[name])


@pytest.fixture(scope="module")
def wave(rel_stack: CrashableStack) -> dict[str, Case]:
    """Drop every malformed folder at once, then follow every run to its end."""
    client = rel_stack.client()
    reset_emulator(client)
    for case in CASES:
        etags = drop(client, case.run, case.files)
        case.before = {name: blob_fingerprint(client, f"{case.run}/{name}") for name in case.files}
        case.instance_id = _instance_of(client, case, etags)
    for case in CASES:
        case.status = finished(client, case.instance_id, timeout=WAVE_TIMEOUT_S)
    return {case.label: case for case in CASES}


def assert_untouched_and_nothing_uploaded(client: StackClient, case: Case) -> None:
    after = {name: blob_fingerprint(client, f"{case.run}/{name}") for name in case.files}
    assert after == case.before
    assert client.list_blobs(client.datasets_container, f"{case.run}/") == sorted(
        f"{case.run}/{name}" for name in case.files)
    state = emulator_state(client)
    assert files_of_run_folder(state, case.run) == [] and jobs_of(state, case.instance_id) == []


def _report(client: StackClient, case: Case) -> dict[str, Any]:
    name = f"{case.run}/{case.instance_id}/validation.training.json"
    return json.loads(client.read_blob(client.reports_container, name))


@pytest.mark.parametrize("label", [case.label for case in CASES])
def test_a_malformed_run_fails_with_its_code_and_touches_nothing(
        wave: dict[str, Case], rel_stack: CrashableStack, label: str) -> None:
    case, client = wave[label], rel_stack.client()
    status = case.status
    assert status["runtimeStatus"] == "Failed", status
    error = status["customStatus"]["error"]
    assert (error["code"], error["stage"]) == (case.code, case.stage), error
    assert len(error["message"]) > 40  # a sentence, not a bare code
    if case.report_code:
        report = _report(client, case)
        assert report["ok"] is False
        assert case.report_code in {e["code"] for e in report["errors"]}, report["errors"]
        assert case.report_code in error["message"]
    elif case.code == "invalid_run_settings":
        assert "finetune.json" in error["message"] or "settings" in error["message"], error
    assert_untouched_and_nothing_uploaded(client, case)


def _write_garbage(path: Path, megabytes: int) -> None:
    block = os.urandom(1 << 20)
    with path.open("wb") as handle:
        for index in range(megabytes):
            handle.write(block[index:] + block[:index])  # fast, and not one repeated block


def test_a_200_mb_file_of_random_bytes_is_refused_with_its_codes(
        rel_stack: CrashableStack, tmp_path: Path) -> None:
    client = rel_stack.client()
    garbage = tmp_path / "garbage.jsonl"
    _write_garbage(garbage, 200)
    case = Case("garbage-200mb", {}, "validate", "invalid_dataset")
    etags = drop(client, case.run, {"training.jsonl": garbage})
    garbage.unlink()
    case.files = {"training.jsonl": b""}
    case.before = {"training.jsonl": blob_fingerprint(client, f"{case.run}/training.jsonl")}
    case.instance_id = run_ids.instance_id(case.run, f"{case.run}/training.jsonl", etags["training.jsonl"])
    status = finished(client, case.instance_id, timeout=WAVE_TIMEOUT_S)
    assert status["runtimeStatus"] == "Failed"
    assert (status["customStatus"]["error"]["code"], status["customStatus"]["stage"]) == ("invalid_dataset",
                                                                                          "validate")
    counts = _report(client, case)["error_counts"]
    assert counts.get(codes.FILE_TOO_LARGE) == 1 and counts.get(codes.INVALID_UTF8, 0) > 1000, counts
    assert_untouched_and_nothing_uploaded(client, case)


def test_a_single_50_mb_line_is_refused_without_exhausting_the_host(
        rel_stack: CrashableStack, tmp_path: Path) -> None:
    client = rel_stack.client()
    line = tmp_path / "one-line.jsonl"
    with line.open("wb") as handle:
        handle.write(b'{"messages": [{"role": "user", "content": "')
        for _ in range(50):
            handle.write(b"a" * (1 << 20))
        handle.write(b'"}, {"role": "assistant", "content": "ok"}]}\n')
    peak_before = rel_stack.host_peak_rss_mb()
    case = Case("line-50mb", {"training.jsonl": b""}, "validate", "invalid_dataset")
    etags = drop(client, case.run, {"training.jsonl": line})
    case.before = {"training.jsonl": blob_fingerprint(client, f"{case.run}/training.jsonl")}
    case.instance_id = run_ids.instance_id(case.run, f"{case.run}/training.jsonl", etags["training.jsonl"])
    status = finished(client, case.instance_id, timeout=WAVE_TIMEOUT_S)
    assert (status["customStatus"]["error"]["code"], status["customStatus"]["stage"]) == ("invalid_dataset",
                                                                                          "validate")
    assert codes.TOO_MANY_TOKENS in _report(client, case)["error_counts"]
    assert_untouched_and_nothing_uploaded(client, case)
    growth = rel_stack.host_peak_rss_mb() - peak_before
    assert growth < 1024, f"the host's peak memory grew by {growth:.0f} MB for one 50 MB line"
