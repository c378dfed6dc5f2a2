"""Pre-flight checks with the service, before anything is uploaded: the model, and an RFT grader.

``check_model`` asks ``/models`` whether the run's model can be fine-tuned here
(``capabilities.fine_tune``, ``deprecation.fine_tune``); a fine-tuned model to continue from
must exist in the account, in ``/models`` or as a succeeded job's model. ``check_grader``
sends the reinforcement grader to the service's ``graders/validate`` and then ``graders/run`` on
the first example of each file, the item being the example's fields besides ``messages`` and
the sample its reference answer when the grader compares with one field (else a fixed text): a
grader the service cannot parse, or that fails on a real item, stops the run before it pays.
Transient failures are raised (retried by the orchestrator), permanent ones returned.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import openai
from azure.storage.blob import BlobServiceClient

from shared import errors
from shared.errors import error_result
from shared.service_errors import call_openai, is_error_result, openai_error_detail
from shared.storage_ops import iter_blob_chunks

MAX_LINE_BYTES = 16 * 1024 * 1024
PLACEHOLDER_SAMPLE = "This is a pre-flight sample answer."
# Service flags that mean the grader cannot work on the data; model-grader hiccups are not.
FATAL_FLAGS = ("formula_parse_error", "invalid_variable_error", "python_grader_runtime_error",
               "python_grader_server_error", "sample_parse_error", "other_error")
TRANSIENT_FLAGS = ("model_grader_server_error",)
WHOLE_FIELD = re.compile(r"^\s*\{\{\s*item\.([A-Za-z0-9_]+)\s*\}\}\s*$")


# ---- The model ----
def check_model(client: openai.AzureOpenAI, model: str, method: str) -> dict[str, Any]:
    """A ModelCheck dict for ``model``: can it train here, and if it is a fine-tuned one, does it exist."""
    fine_tuned = ".ft-" in model
    try:
        found = client.models.retrieve(model).to_dict()
    except openai.NotFoundError:
        found = None
    except openai.APIStatusError as exc:
        if exc.status_code >= 500 or exc.status_code in (408, 429):
            raise
        return {"model": model, "reachable": False, "note": f"/models answered {exc.status_code}: "
                f"{openai_error_detail(exc)[1]}"}
    if found is None and fine_tuned:
        return _fine_tuned_from_jobs(client, model)
    if found is None:
        return error_result(errors.METHOD_NOT_SUPPORTED, f"The Azure OpenAI resource does not offer {model} "
                            "(it is not in its /models list). Pick a model the resource can fine-tune, or "
                            "another resource or region.", model=model)
    capabilities = found.get("capabilities") or {}
    if capabilities.get("fine_tune") is False:
        return error_result(errors.METHOD_NOT_SUPPORTED, f"The service says {model} cannot be fine-tuned in "
                            "this resource (capabilities.fine_tune is false). Pick another model or region.",
                            model=model)
    until = (found.get("deprecation") or {}).get("fine_tune")
    if isinstance(until, int) and until < time.time():
        return error_result(errors.METHOD_NOT_SUPPORTED, f"{model} can no longer be fine-tuned: the service "
                            "retired fine-tuning for it. Pick a newer model version.", model=model)
    result: dict[str, Any] = {"model": model, "reachable": True, "fine_tuned": fine_tuned,
                              "found_by": "models", "base_model": found.get("model") if fine_tuned else model,
                              "error": None}
    if fine_tuned:
        result["parent_model"] = model
    return result


def _fine_tuned_from_jobs(client: openai.AzureOpenAI, model: str) -> dict[str, Any]:
    """A fine-tuned model /models does not list may still be a succeeded job's model of this account."""

    def find() -> Any:
        return next((job for job in client.fine_tuning.jobs.list(limit=100)
                     if job.fine_tuned_model == model and job.status == "succeeded"), None)

    job = call_openai(find, errors.PARENT_MODEL_NOT_FOUND, "list the fine-tuning jobs")
    if is_error_result(job):
        return job  # type: ignore[return-value]
    if job is None:
        return error_result(errors.PARENT_MODEL_NOT_FOUND, f"The fine-tuned model {model} does not exist in "
                            "this Azure OpenAI resource (it is neither in /models nor the model of a "
                            "succeeded job). Check the name, or start from a base model.", model=model)
    return {"model": model, "reachable": True, "fine_tuned": True, "parent_model": model, "found_by": "jobs",
            "base_model": job.model, "error": None}


# ---- The grader ----
def first_example(service: BlobServiceClient, container: str, path: str) -> tuple[int, dict[str, Any]] | None:
    """(line number, parsed JSON) of the file's first non-blank line, reading only as far as that line."""
    pending, number = b"", 0
    for chunk in iter_blob_chunks(service, container, path):
        pending += chunk
        while b"\n" in pending:
            raw, pending = pending.split(b"\n", 1)
            number += 1
            if raw.strip():
                return number, json.loads(raw.decode("utf-8-sig"))
        if len(pending) > MAX_LINE_BYTES:
            return None
    return (number + 1, json.loads(pending.decode("utf-8-sig"))) if pending.strip() else None


def reference_sample(grader: dict[str, Any], item: dict[str, Any]) -> str:
    """What a perfect answer to ``item`` is for this grader: the one field its reference names, if any."""
    candidates = [grader, *(grader.get("graders") or {}).values()]
    for sub in candidates:
        match = WHOLE_FIELD.match(str(sub.get("reference", ""))) if isinstance(sub, dict) else None
        if match and isinstance(item.get(match.group(1)), str):
            return item[match.group(1)]
    return PLACEHOLDER_SAMPLE


def _flags(answer: dict[str, Any]) -> list[str]:
    found = (answer.get("metadata") or {}).get("errors") or {}
    return [flag for flag, value in found.items() if value is True]


def check_grader(client: openai.AzureOpenAI, service: BlobServiceClient, container: str,
                 grader: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """A GraderCheck dict: the service validated the grader, and it runs on each file's first example."""
    validated = call_openai(lambda: client.fine_tuning.alpha.graders.validate(grader=grader),  # type: ignore[arg-type]
                            errors.INVALID_GRADER, "accept the reinforcement grader")
    if is_error_result(validated):
        return {"valid": False, **validated}
    runs = []
    for path in paths:
        example = first_example(service, container, path)
        if example is None:
            continue
        line, data = example
        item = {key: value for key, value in data.items() if key != "messages"}
        sample = reference_sample(grader, item)
        answer = call_openai(lambda item=item, sample=sample: client.fine_tuning.alpha.graders.run(
            grader=grader, item=item, model_sample=sample).to_dict(),  # type: ignore[arg-type]
            errors.INVALID_GRADER, f"run the grader on line {line} of {path}")
        if is_error_result(answer):
            return {"valid": True, "runs": runs, **answer}
        flags = _flags(answer)  # type: ignore[arg-type]
        if any(flag in TRANSIENT_FLAGS for flag in flags):
            raise RuntimeError(f"the service's grader model failed on line {line} of {path}; retrying")
        reward = answer.get("reward")  # type: ignore[union-attr]
        runs.append({"file": path, "line": line, "sample": sample[:200], "reward": reward, "flags": flags})
        fatal = [flag for flag in flags if flag in FATAL_FLAGS]
        if fatal:
            details = ((answer.get("metadata") or {}).get("errors") or {})  # type: ignore[union-attr]
            detail = details.get("python_grader_runtime_error_details") or details.get(
                "model_grader_server_error_details") or ", ".join(fatal)
            return {"valid": True, "runs": runs, **error_result(
                errors.INVALID_GRADER, f"The service ran method.reinforcement.grader on line {line} of "
                f"{path} and it failed ({', '.join(fatal)}: {errors.clause(str(detail))}). Fix the grader "
                "or the data; the job would fail the same way after paying for training.")}
    return {"valid": True, "runs": runs, "error": None}
