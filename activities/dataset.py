"""Activities of the dataset stages: read the run folder, validate (whole file or byte ranges)."""

from __future__ import annotations

from typing import Any

import azure.durable_functions as df

from activities._common import parse, run, settings
from shared import clients, dataset_ops, names
from shared.payloads import MergeValidationInput, ReadRunFolderInput, ValidateInput, ValidateRangeInput

bp = df.Blueprint()


@bp.activity_trigger(input_name="payload", activity=names.READ_RUN_FOLDER)
def read_run_folder(payload: dict) -> dict:
    def work() -> dict[str, Any]:
        request = parse(ReadRunFolderInput, payload).to_dict()
        config = settings()
        return dataset_ops.read_run_folder(clients.blob_service(config), config, request)

    return run(names.READ_RUN_FOLDER, work)


@bp.activity_trigger(input_name="payload", activity=names.VALIDATE_DATASET)
def validate_dataset(payload: dict) -> dict:
    def work() -> dict[str, Any]:
        request = parse(ValidateInput, payload).to_dict()
        config = settings()
        return dataset_ops.validate_blob(clients.blob_service(config), config, request)

    return run(names.VALIDATE_DATASET, work)


@bp.activity_trigger(input_name="payload", activity=names.VALIDATE_RANGE)
def validate_range(payload: dict) -> dict:
    def work() -> dict[str, Any]:
        request = parse(ValidateRangeInput, payload).to_dict()
        config = settings()
        return dataset_ops.validate_blob_range(clients.blob_service(config), config, request)

    return run(names.VALIDATE_RANGE, work)


@bp.activity_trigger(input_name="payload", activity=names.MERGE_VALIDATION)
def merge_validation(payload: dict) -> dict:
    def work() -> dict[str, Any]:
        request = parse(MergeValidationInput, payload).to_dict()
        config = settings()
        return dataset_ops.merge_validation(clients.blob_service(config), config, request)

    return run(names.MERGE_VALIDATION, work)
