"""The pipeline's checks on a run's local files, before anything is uploaded (``validate FOLDER``, ``drop``).

A run's files are seen by the blob names they will have, through the pipeline's own rules,
in the pipeline's order: the folder convention and ``finetune.json`` (stage ``settle``),
the validation engine on each file with the run's model, epochs and training tier
(``validate``), then the cost cap (``budget``). The first problem is reported with the
code, stage and sentence the run would end with after the upload.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared import errors, run_folder
from shared.budget import budget_problem
from shared.errors import RequestError
from shared.payloads import ValidationSummary
from shared.preflight_rules import folder_problem
from shared.run_settings import RunSettings, parse_run_settings, settings_from_bytes
from shared.settings import Settings
from shared.storage_ops import MAX_SETTINGS_BYTES


@dataclass
class RunCheck:
    """What the checks found: the run, its files by role, settings, reports and the first problem."""

    run: str | None
    files: dict[str, Path] = field(default_factory=dict)       # training | validation | settings
    settings: RunSettings | None = None
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)   # role -> validation report
    problem: dict[str, Any] | None = None                     # {code, stage, message}

    @property
    def ok(self) -> bool:
        return self.problem is None

    def to_dict(self) -> dict[str, Any]:
        return {"run": self.run, "ok": self.ok, "problem": self.problem,
                "files": {role: str(path) for role, path in self.files.items()},
                "settings": self.settings.to_dict() if self.settings else None, "reports": self.reports}


def _fail(check: RunCheck, code: str, stage: str, message: str) -> RunCheck:
    check.problem = {"code": code, "stage": stage, "message": message}
    return check


def roles(blobs: list[tuple[str, Path]]) -> tuple[str | None, dict[str, Path], list[str]]:
    """(run, {role: path}, problems) of files by their blob names (``<run>/<file>`` or ``<file>.jsonl``)."""
    seen = [(run_folder.classify(name), name, path) for name, path in blobs]
    runs = {item.run for item, _, _ in seen if item is not None}
    if len(runs) != 1:
        return None, {}, []
    run = runs.pop()
    single = [(item, path) for item, _, path in seen if item is not None and not item.in_folder]
    if single:
        return run, {run_folder.TRAINING: single[0][1]}, []
    by_name = {name: path for _, name, path in seen}
    listing = [(name, None, path.stat().st_size) for name, path in by_name.items()]
    contents = run_folder.read_folder(run, listing)
    files = {role: by_name[ref.path] for role, ref in (("training", contents.training),
                                                        ("validation", contents.validation)) if ref}
    if contents.settings_path:
        files[run_folder.SETTINGS] = by_name[contents.settings_path]
    return run, files, contents.problems


def check_run(blobs: list[tuple[str, Path]], settings: Settings, *, workers: int | None = None,
              price: float | None = None) -> RunCheck:
    """Run the pipeline's checks on these files, named as they will be in the datasets container.

    ``price`` (USD per 1M training tokens) prices the run's model over FINETUNE_PRICES_JSON.
    """
    run, files, problems = roles(blobs)
    check = RunCheck(run=run, files=files)
    if run is None:
        return check  # no file of a run (e.g. only names the blob trigger ignores): nothing to check
    if problems:
        return _fail(check, errors.INVALID_DATASET, "settle", " ".join(problems))
    settings_path = next((name for name, path in blobs if path == files.get(run_folder.SETTINGS)), None)
    try:
        check.settings = _run_settings(files.get(run_folder.SETTINGS), settings_path, settings)
    except RequestError as exc:
        return _fail(check, exc.code, "settle", exc.message)
    if run_folder.TRAINING not in files:
        return check  # the pipeline starts a run only with a training file
    overrides = dict(settings.price_overrides)
    if price is not None:
        overrides[check.settings.model] = price
    summaries = {}
    for role in (run_folder.TRAINING, run_folder.VALIDATION):
        if role in files:
            summary = _validate(check, role, files[role], settings, overrides, workers)
            if summary is None:
                return check
            summaries[role] = summary
    chosen = check.settings
    problem = budget_problem(chosen.max_cost_usd, summaries[run_folder.TRAINING], chosen.model)
    if problem is not None:
        return _fail(check, problem[0], "budget", problem[1])
    problem = folder_problem(chosen, run_folder.VALIDATION in files)
    if problem is not None:  # the pre-flight rules needing no service (the pipeline then asks the service)
        return _fail(check, problem[0], "preflight", problem[1])
    return check


def _run_settings(path: Path | None, blob_name: str | None, settings: Settings) -> RunSettings:
    """finetune.json checked as the pipeline checks it (size cap, JSON object, every key)."""
    if path is None:
        return parse_run_settings(None, settings)
    where = f"{settings.datasets_container}/{blob_name}"
    raw = path.read_bytes()
    if len(raw) > MAX_SETTINGS_BYTES:
        raise RequestError(errors.INVALID_RUN_SETTINGS, f"{where} is {len(raw)} bytes; the limit is "
                           f"{MAX_SETTINGS_BYTES}. Make it smaller.")
    try:
        return parse_run_settings(settings_from_bytes(raw, where), settings)
    except RequestError as exc:
        if exc.field is None:
            raise
        raise RequestError(exc.code, f"{blob_name} ({exc.field}): {exc.message}", exc.field) from None


def _validate(check: RunCheck, role: str, path: Path, settings: Settings, overrides: dict[str, Any] | None,
              workers: int | None) -> ValidationSummary | None:
    """Validate one file with the run's options; on a problem record it and return None."""
    from shared.dataset_ops import method_options
    from shared.method_settings import validation_fields
    from shared.validation import UnknownModelError, ValidationOptions, validate_path
    from shared.validation_digest import invalid_dataset_message, summarize

    run_settings = check.settings
    assert run_settings is not None
    options = ValidationOptions(model=run_settings.model, n_epochs=run_settings.n_epochs,
                                price_overrides=overrides or None, max_file_bytes=settings.max_file_bytes,
                                role=role, training_type=run_settings.training_type,
                                **method_options(validation_fields(run_settings.method,
                                                                   run_settings.hyperparameters),
                                                 settings.rft_example_epochs_per_hour))
    try:
        report = validate_path(path, options, workers=workers)
    except UnknownModelError as exc:
        _fail(check, errors.UNKNOWN_MODEL, "validate", str(exc))
        return None
    check.reports[role] = report.to_dict()
    summary = ValidationSummary.from_dict(summarize(report, role, None))
    if not summary.ok:
        message = invalid_dataset_message(
            role, summary.error_count, summary.error_counts, summary.first_errors,
            f"'.venv/bin/python -m local validate {path}'", uploaded="nothing was uploaded")
        _fail(check, errors.INVALID_DATASET, "validate", message)
        return None
    return summary
