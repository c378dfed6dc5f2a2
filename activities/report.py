"""Activity of the report stage: summary.json, results.csv and loss.svg in the reports container."""

from __future__ import annotations

from typing import Any

import azure.durable_functions as df

from activities._common import parse, run, settings
from shared import clients, names, report_ops
from shared.payloads import ReportInput

bp = df.Blueprint()


@bp.activity_trigger(input_name="payload", activity=names.WRITE_REPORT)
def write_report(payload: dict) -> dict:
    def work() -> dict[str, Any]:
        request = parse(ReportInput, payload).to_dict()
        config = settings()
        client = clients.openai_client(config) if request.get("job_id") else None
        return report_ops.write_run_report(clients.blob_service(config), client, config.reports_container,
                                           request)

    return run(names.WRITE_REPORT, work)
