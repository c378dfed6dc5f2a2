"""Every deliberate difference between an emulator answer and the published schema, with its reason.

A schema error is accepted only when it matches one of these entries exactly (spec file, schema
definition, location in the body, JSON Schema keyword); the tier then records the difference as
seen. tests/schema/test_zz_coverage.py checks that each entry was seen and is listed, by its id, in
docs/emulator.md. Anything else is an unexplained difference and fails the test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Difference:
    id: str
    spec: str  # the schema file under ../shared/reference/azure-specs (or spec_additions.json)
    definition: str  # the $defs entry validated
    path: str  # regex over the error's location, '/'-joined (e.g. 'data/0/status')
    keyword: str  # the failing JSON Schema keyword (enum, type, required)
    value: object  # the value the emulator sends there
    reason: str

    def matches(self, spec: str, definition: str, path: str, keyword: str, value: object) -> bool:
        return (spec, definition, keyword, value) == (
            self.spec,
            self.definition,
            self.keyword,
            self.value,
        ) and bool(re.fullmatch(self.path, path))


V1 = "aoai_v1.json"
RECORDED = "recorded real service (BerriAI/litellm PR #24687 manual E2E; the fine-tune tutorial)"
DIFFERENCES = (
    Difference(
        "v1-job-status-pending",
        V1,
        "OpenAI.FineTuningJob",
        r"status",
        "enum",
        "pending",
        f"Azure answers status 'pending' for a queued job on every surface: {RECORDED}.",
    ),
    Difference(
        "v1-job-status-pending",
        V1,
        "ListFineTuningJobs",
        r"data/\d+/status",
        "enum",
        "pending",
        f"Azure answers status 'pending' for a queued job on every surface: {RECORDED}.",
    ),
    Difference(
        "v1-job-status-paused",
        V1,
        "OpenAI.FineTuningJob",
        r"status",
        "enum",
        "paused",
        "Azure's pause/resume (2025-04-01-preview and v1 routes) leaves a job 'paused', a state the "
        "v1 schema copied from OpenAI does not list; the preview authoring spec does.",
    ),
    Difference(
        "v1-job-status-resuming",
        V1,
        "OpenAI.FineTuningJob",
        r"status",
        "enum",
        "resuming",
        "A resumed job answers 'resuming' (the 2025-04-01-preview example resume_finetuning_job.json), a "
        "state the v1 schema copied from OpenAI does not list; the preview authoring spec does.",
    ),
    Difference(
        "v1-job-organization-id-null",
        V1,
        "OpenAI.FineTuningJob",
        r"organization_id",
        "type",
        None,
        f"Azure answers organization_id null (it has no organisations): {RECORDED}.",
    ),
    Difference(
        "v1-job-organization-id-null",
        V1,
        "ListFineTuningJobs",
        r"data/\d+/organization_id",
        "type",
        None,
        f"Azure answers organization_id null (it has no organisations): {RECORDED}.",
    ),
    Difference(
        "v1-job-result-files-null",
        V1,
        "OpenAI.FineTuningJob",
        r"result_files",
        "type",
        None,
        f"Azure answers result_files null until the job succeeds: {RECORDED}.",
    ),
    Difference(
        "v1-job-result-files-null",
        V1,
        "ListFineTuningJobs",
        r"data/\d+/result_files",
        "type",
        None,
        f"Azure answers result_files null until the job succeeds: {RECORDED}.",
    ),
    Difference(
        "v1-empty-list-ids-null",
        V1,
        "AzureListFilesResponse",
        r"(first_id|last_id)",
        "type",
        None,
        "An empty page has no first or last item: first_id/last_id are null (as on the authoring "
        "surface), where the v1 schema requires strings.",
    ),
)


def explain(spec: str, definition: str, path: str, keyword: str, value: object) -> Difference | None:
    return next((d for d in DIFFERENCES if d.matches(spec, definition, path, keyword, value)), None)
