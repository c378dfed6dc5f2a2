"""The pre-flight stage: everything later stages need exists and is accepted, before anything is uploaded.

Called by the finetune orchestrator right after ``budget``. It runs ``CHECKS`` in order, each a
generator ``check(run, settings, folder)`` that raises PipelineError with a code and a sentence:

- ``files``: the run's files fit its settings (shared/preflight_rules.py: a validation file for
  reinforcement fine-tuning and for ``deployment.checkpoint: "best"``);
- ``model``: the service's ``/models`` says the model can be fine-tuned here; a fine-tuned model
  to continue from exists in the account (its id is kept as the run's ``parent_model``). When
  ``/models`` cannot be read after the retries, the run goes on with a note: the job's creation
  checks the model again;
- ``grader``: a reinforcement grader passes the service's graders validate and runs on the first
  example of each file (shared/preflight_ops.py).

Other stages' checks (issue 11's evaluation) are added to ``CHECKS``.
"""

from __future__ import annotations

from collections.abc import Callable

from orchestrators.tracker import POLL_RETRY, RunTracker, Steps
from shared import errors, names
from shared.errors import PipelineError
from shared.method_payloads import GraderCheck, GraderCheckInput, ModelCheck, ModelCheckInput
from shared.payloads import RunFolder
from shared.preflight_rules import folder_problem
from shared.run_settings import RunSettings


def check_files(run: RunTracker, settings: RunSettings, folder: RunFolder) -> Steps:
    problem = folder_problem(settings, folder.validation is not None)
    if problem is not None:
        raise PipelineError(problem[0], problem[1], run.stage)
    yield from ()


def check_model(run: RunTracker, settings: RunSettings, folder: RunFolder) -> Steps:
    payload = ModelCheckInput(model=settings.model, method=settings.method.get("type", "supervised"))
    try:
        raw = yield from run.call_raw(names.CHECK_MODEL, payload.to_dict(), POLL_RETRY)
    except PipelineError as exc:  # /models unreachable: the service checks the model again at submit
        run.details.setdefault("preflight", {})["model"] = f"not checked: {exc.message}"
        return
    run.raise_returned(raw, errors.METHOD_NOT_SUPPORTED)
    check = ModelCheck.from_dict(raw)
    run.details.setdefault("preflight", {})["model"] = check.note or (
        f"{settings.model} found ({check.found_by})" if check.reachable else "not checked")
    if check.parent_model:
        run.details["parent_model"] = check.parent_model


def check_grader(run: RunTracker, settings: RunSettings, folder: RunFolder) -> Steps:
    grader = settings.method.get("grader")
    if settings.method.get("type") != "reinforcement" or not grader:
        return
    files = [blob for blob in (folder.training, folder.validation) if blob is not None]
    payload = GraderCheckInput(grader=grader, files=files)
    raw = yield from run.call(names.CHECK_GRADER, payload.to_dict(), POLL_RETRY,
                              failure_code=errors.INVALID_GRADER)
    check = GraderCheck.from_dict(raw)
    run.details.setdefault("preflight", {})["grader"] = check.runs


CHECKS: tuple[Callable[[RunTracker, RunSettings, RunFolder], Steps], ...] = (
    check_files, check_model, check_grader,
)


def preflight(run: RunTracker, settings: RunSettings, folder: RunFolder) -> Steps:
    """Stage ``preflight``: each check in turn; the first problem fails the run before any upload."""
    run.begin(names.STAGE_PREFLIGHT)
    for check in CHECKS:
        yield from check(run, settings, folder)
