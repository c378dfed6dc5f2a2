"""Steps the browser tests share: open the runs page, drop runs, slow the emulator's jobs down,
and write an evaluation's reports (made by the evaluation library) into a run's report folder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from local.stack_client import StackClient
from shared import names
from shared.evaluation import (
    eval_csv,
    eval_example,
    eval_json,
    eval_report,
    eval_svg,
    parse_evaluation_settings,
)
from shared.evaluation.outcomes import BASELINE, CANDIDATE, ExampleOutcome
from shared.graders.scoring import grade
from shared.graders.templates import make_sample
from tests.e2e.steps import SAMPLE, drop, started_run, unique_run, wait_for

APPROVAL = {"suffix": "ui", "deployment": {"require_approval": True, "approval_timeout_hours": 1}}


def page_url(client: StackClient, key: str | None = None, fragment: str = "") -> str:
    """The runs page with ``?code=`` (the stack's key unless another is given) and a view fragment."""
    code = client.function_key if key is None else key
    return f"{client.base_url}/api/ui" + (f"?code={code}" if code is not None else "") + fragment


def run_fragment(instance_id: str) -> str:
    return f"#/runs/{instance_id}"


def drop_run(client: StackClient, prefix: str, settings: dict[str, Any] | None = None,
             validation: bool = True) -> tuple[str, str]:
    """Drop the sample (with its validation file) into a new run folder: (run, instance id)."""
    run = unique_run(prefix)
    files: dict[str, Any] = {}
    if settings is not None:
        files["finetune.json"] = json.dumps(settings).encode()
    if validation:
        files["validation.jsonl"] = SAMPLE / "validation.jsonl"
    files["training.jsonl"] = SAMPLE / "training.jsonl"
    etags = drop(client, run, files)
    return run, started_run(client, run, "training.jsonl", etags["training.jsonl"])


def summary(client: StackClient, instance_id: str) -> dict[str, Any]:
    answer = client.call("GET", f"/api/finetune/{instance_id}")
    assert answer.status == 200, answer.body
    return answer.body


def wait_for_status(client: StackClient, instance_id: str, status: str,
                    timeout: float = 90) -> dict[str, Any]:
    """The run's summary once its status is ``status`` (fails after ``timeout`` seconds)."""

    def reached() -> dict[str, Any] | None:
        current = summary(client, instance_id)
        return current if current["status"] == status else None

    return wait_for(reached, timeout, f"run {instance_id} to be {status}", interval=0.5)


@contextmanager
def emulator_timings(client: StackClient, **timings: float) -> Iterator[None]:
    """Jobs created meanwhile take these timings (e.g. a longer training to watch); restored after."""
    before = client.emulator_call("GET", "/_emulator/timings").body
    answer = client.emulator_call("PUT", "/_emulator/timings", timings)
    assert answer.status == 200, answer.body
    try:
        yield
    finally:
        client.emulator_call("PUT", "/_emulator/timings", {k: before[k] for k in timings})


def write_evaluation_reports(client: StackClient, run: str, instance_id: str,
                             candidate: str) -> dict[str, Any]:
    """eval.json / eval.csv / eval.svg of the sample's validation set, graded by the default graders.

    The candidate answers with the references' words, the baseline with "No comment.": the gate
    passes. Returns eval.json. (The pipeline's evaluate stage is issue 11, built in parallel; its
    report files are made by this same library.)
    """
    settings = parse_evaluation_settings(None)
    outcomes = []
    lines = (SAMPLE / "validation.jsonl").read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        example = eval_example(json.loads(line), index + 1, "chat")
        answers = {BASELINE: "No comment.", CANDIDATE: example.reference}
        grades = {model: {g.name: grade(g, example.item, make_sample(text)) for g in settings.graders}
                  for model, text in answers.items()}
        outcomes.append(ExampleOutcome(index, index + 1, example.prompt_text, example.reference, answers,
                                       grades))
    report = eval_report(outcomes, settings, baseline_deployment="base-gpt-4o-mini",
                         candidate_deployment=candidate)
    folder = names.report_path(run, instance_id, "")
    files = {names.REPORT_EVAL: json.dumps(eval_json(report)), names.REPORT_EVAL_CSV: eval_csv(report),
             names.REPORT_EVAL_CHART: eval_svg(report)}
    for name, text in files.items():
        client.upload(folder + name, text.encode("utf-8"), container=client.reports_container)
    return eval_json(report)
