"""Starting the finetune orchestrator under the driver with a FakeService."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from orchestrators import finetune as finetune_module
from orchestrators import monitor as monitor_module
from shared import names, run_ids
from shared.payloads import BlobRef, RunRequest, Timing
from tests.orchestrators.driver import Run, Script, orchestrator_handles, run_orchestrator
from tests.orchestrators.service import FakeService

RUN = "faq-bot"
TRAINING = BlobRef(path=f"{RUN}/train.jsonl", etag="0x8DC0FFEE", size=2_000)
INSTANCE = run_ids.instance_id(RUN, TRAINING.path, str(TRAINING.etag))
TIMING = Timing(settle_seconds=10, files_poll_seconds=15, files_timeout_minutes=30,
                monitor_min_poll_seconds=30, monitor_max_poll_seconds=240, monitor_deadline_hours=4,
                deploy_poll_seconds=20, deploy_timeout_minutes=30, validation_range_bytes=1_000_000)

Events = Callable[[Any, datetime], list[tuple[str, Any]]]


HANDLES = orchestrator_handles(finetune_module.finetune_orchestrator, monitor_module.monitor_job_orchestrator)


def finetune(service: FakeService, events: Events | None = None, timing: Timing = TIMING,
             **request: Any) -> Run:
    """Run one finetune orchestration to its end."""
    fields = {"run": RUN, "training": TRAINING, "timing": timing, **request}
    return run_orchestrator(HANDLES, names.FINETUNE_ORCHESTRATOR, INSTANCE, RunRequest(**fields).to_dict(),
                            Script(service, events))


def when_stage(stage: str, event: str, data: Any = None, status: str | None = None) -> Events:
    """Raise ``event`` once, the first time the run waits in ``stage``."""
    sent: list[bool] = []

    def events(custom: Any, clock: datetime) -> list[tuple[str, Any]]:
        if sent or not isinstance(custom, dict) or custom.get("stage") != stage:
            return []
        if status is not None and custom.get("status") != status:
            return []
        sent.append(True)
        return [(event, data)]

    return events
