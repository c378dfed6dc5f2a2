"""Follow a fine-tuning run through the Durable status endpoint, with a live one-line progress display.

Shared by ``demo``, ``drop --follow`` and ``status``: a run's progress is read
only from what any client sees (``runtimeStatus``, ``customStatus``,
``output``), never from inside the host.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from local.stack_client import StackClient
from shared import run_ids

TERMINAL = {"Completed", "Failed", "Terminated", "Canceled"}
POLL_INTERVAL_S = 0.5


def _first(mapping: Any, *keys: str) -> Any:
    """The first present, non-empty value among ``keys`` (dotted keys look inside nested dicts)."""
    if not isinstance(mapping, dict):
        return None
    for key in keys:
        value: Any = mapping
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value not in (None, ""):
            return value
    return None


def progress_fields(status: dict[str, Any]) -> dict[str, Any]:
    """The fields of a status worth showing: runtime status, stage, job status, trained tokens, event.

    While training, the live job progress is in the custom status of the run's monitor
    sub-orchestration; ``follow`` merges it in as ``status["monitor"]``.
    """
    custom = status.get("customStatus")
    monitor = (status.get("monitor") or {}).get("customStatus")
    return {
        "runtime": status.get("runtimeStatus"),
        "stage": _first(custom, "stage"),
        "job": _first(monitor, "job.status") or _first(custom, "job.status"),
        "tokens": _first(monitor, "job.trained_tokens") or _first(custom, "job.trained_tokens"),
        "event": _first(monitor, "job.newest_event") or _first(custom, "job.newest_event"),
    }


def describe(status: dict[str, Any]) -> str:
    """One line for a status: 'Running | stage monitor | job running | 1,234 tokens | <event>'."""
    fields = progress_fields(status)
    parts = [str(fields["runtime"] or "?")]
    if fields["stage"]:
        parts.append(f"stage {fields['stage']}")
    if fields["job"]:
        parts.append(f"job {fields['job']}")
    if isinstance(fields["tokens"], int):
        parts.append(f"{fields['tokens']:,} trained tokens")
    if fields["event"]:
        event = fields["event"]
        parts.append(str(event.get("message", event) if isinstance(event, dict) else event)[:60])
    return " | ".join(parts)


class ProgressDisplay:
    """Shows a run's progress on a stream: rewrites one line on a terminal, one line per change otherwise."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.started = time.monotonic()
        self._last = ""

    def show(self, status: dict[str, Any]) -> None:
        line = describe(status)
        if line == self._last:
            if self.live:
                self._write(line)  # refresh the clock
            return
        if self.live and self._last and progress_fields(status)["stage"] != self._stage_of(self._last):
            self.stream.write("\n")  # keep one line per finished stage on screen
        self._last = line
        self._write(line)

    def _stage_of(self, line: str) -> str | None:
        for part in line.split(" | "):
            if part.startswith("stage "):
                return part[len("stage "):]
        return None

    def _write(self, line: str) -> None:
        stamp = f"[{time.monotonic() - self.started:5.1f}s] "
        if self.live:
            self.stream.write("\r\x1b[2K" + stamp + line)
        else:
            self.stream.write(stamp + line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.live and self._last:
            self.stream.write("\n")
            self.stream.flush()


def follow(
    client: StackClient, instance_id: str, timeout: float,
    on_status: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any] | None:
    """Poll the instance until it ends; return its last status (None if it never appeared)."""
    deadline = time.monotonic() + timeout
    status: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        status = client.durable_status(instance_id)
        if status is not None:
            stage = _first(status.get("customStatus"), "stage")
            if stage == "monitor" and status.get("runtimeStatus") not in TERMINAL:
                status["monitor"] = client.durable_status(run_ids.monitor_instance_id(instance_id))
            if on_status is not None:
                on_status(status)
            if status.get("runtimeStatus") in TERMINAL:
                return status
        time.sleep(POLL_INTERVAL_S)
    return status


def smoke_reply(output: Any) -> str | None:
    """The smoke test's reply in a completed run's output, or None."""
    smoke = output.get("smoke_test") if isinstance(output, dict) else None
    reply = _first(smoke, "reply", "content", "answer") if isinstance(smoke, dict) else smoke
    return reply if isinstance(reply, str) and reply.strip() else None


def deployment_name(output: Any) -> str | None:
    deployment = output.get("deployment") if isinstance(output, dict) else None
    name = _first(deployment, "name") if isinstance(deployment, dict) else deployment
    return name if isinstance(name, str) and name else None


def completed_with_deployment(status: dict[str, Any] | None) -> tuple[bool, str]:
    """Whether a run ended Completed with a deployment whose smoke test answered, and if not why."""
    if status is None:
        return False, "the run never appeared in the Durable status endpoint"
    runtime = status.get("runtimeStatus")
    if runtime != "Completed":
        return False, f"the run ended {runtime}: {failure_text(status)}"
    output = status.get("output")
    outcome = output.get("status") if isinstance(output, dict) else None
    if outcome != "succeeded":
        return False, f"the run ended {outcome}: {failure_text(status)}"
    if not deployment_name(output):
        return False, "the run completed without a deployment"
    if not smoke_reply(output):
        return False, "the deployment's smoke test gave no reply"
    return True, "completed with a deployment that answered"


def failure_text(status: dict[str, Any]) -> str:
    """The most useful sentence about why a run did not complete."""
    custom = status.get("customStatus")
    error = _first(custom, "error") or _first(status.get("output"), "error")
    if isinstance(error, dict):
        return f"[{error.get('code')}] at {error.get('stage')}: {error.get('message')}"
    output = status.get("output")
    return str(error or output or "no details")[:500]


def find_run(client: StackClient, run: str, training_path: str, training_etag: str,
             timeout: float) -> dict[str, Any] | None:
    """Wait for the orchestration that the upload of this training blob version started; its status.

    The instance id is derived from (run, training blob, ETag) by the app's own rule
    (``shared.run_ids``), which is what makes a start idempotent.
    """
    wanted = run_ids.instance_id(run, training_path, training_etag)
    deadline = time.monotonic() + timeout
    while True:
        status = client.durable_status(wanted)
        if status is not None or time.monotonic() >= deadline:
            return status
        time.sleep(POLL_INTERVAL_S / 5)


# ---- How a followed run ended, as an exit code (drop --follow, status --follow) ----
EXIT_OK = 0            # ended as asked: succeeded (deployed, or trained only with deployment.enabled false),
                       # or cancelled / rejected by a person, or superseded by a newer upload of the file
EXIT_FAILED = 1        # failed, or terminated through the Durable API
EXIT_USAGE = 2         # bad arguments, a missing file, no running stack
EXIT_REFUSED = 3       # drop: the run's checks failed before the upload; nothing was uploaded
EXIT_TIMEOUT = 4       # --follow gave up waiting; the run goes on
EXIT_INTERRUPTED = 130  # Ctrl-C while following; the run goes on
EXIT_CODES_HELP = (
    "exit codes: 0 the run ended as asked (succeeded, with or without a deployment as its settings say; "
    "cancelled or rejected by a person; superseded by a newer upload), 1 it failed or was terminated, "
    "2 usage error, 3 refused before upload (nothing uploaded), 4 --follow timed out (the run goes on), "
    "130 interrupted with Ctrl-C (the run goes on)")


def outcome(status: dict[str, Any] | None) -> tuple[int, str]:
    """The exit code of a followed run and a sentence saying how it ended."""
    if status is None:
        return EXIT_FAILED, "the run never appeared in the Durable status endpoint"
    runtime = status.get("runtimeStatus")
    if runtime not in TERMINAL:
        return EXIT_TIMEOUT, f"still {runtime}: stopped following, the run goes on"
    output = status.get("output") if isinstance(status.get("output"), dict) else {}
    ended = output.get("status")
    if runtime != "Completed" or ended is None:
        return EXIT_FAILED, f"the run ended {runtime}: {failure_text(status)}"
    note = f" ({output['note']})" if output.get("note") else ""
    if ended == "succeeded":
        deployment = deployment_name(output)
        if deployment and smoke_reply(output):
            return EXIT_OK, f"succeeded: model {output.get('fine_tuned_model')} deployed as {deployment}, " \
                            "and it answered the smoke test"
        if deployment is None:
            return EXIT_OK, (f"succeeded: model {output.get('fine_tuned_model')} trained, not deployed "
                             "(deployment.enabled is false)")
        return EXIT_FAILED, f"the deployment {deployment} gave no smoke-test reply"
    if ended == "cancelled":
        return EXIT_OK, f"cancelled at stage {output.get('cancelled_at_stage')}{note}"
    if ended == "rejected":
        return EXIT_OK, f"rejected: model {output.get('fine_tuned_model')} trained, not deployed{note}"
    if ended == "superseded":
        return EXIT_OK, "superseded: a newer upload of the training file runs instead"
    return EXIT_FAILED, f"the run ended {ended}: {failure_text(status)}"


def approval_hint(instance_id: str, status: dict[str, Any], python: str = ".venv/bin/python") -> str | None:
    """What to type to approve or reject a run that waits for it (None when it does not wait)."""
    custom = status.get("customStatus") if isinstance(status.get("customStatus"), dict) else {}
    if custom.get("status") != "waiting_for_approval":
        return None
    deadline = custom.get("approval_deadline")
    return (f"The run waits for an approval{f' until {deadline}' if deadline else ''}. In another terminal:\n"
            f"  {python} -m local approve {instance_id} [--comment TEXT]\n"
            f"  {python} -m local reject {instance_id} --reason TEXT\n"
            f"  {python} -m local cancel {instance_id} [--reason TEXT]")


def follow_until_end(client: StackClient, instance_id: str, timeout: float, stream: TextIO = sys.stderr
                     ) -> tuple[int, dict[str, Any] | None]:
    """Follow a run with the progress line and approval hints; (exit code, last status).

    Ctrl-C ends the following (exit 130, one line, no traceback); the run goes on.
    """
    display = ProgressDisplay(stream)
    hinted = False

    def show(status: dict[str, Any]) -> None:
        nonlocal hinted
        display.show(status)
        hint = approval_hint(instance_id, status)
        if hint and not hinted:
            display.close()
            stream.write(hint + "\n")
            stream.flush()
            hinted = True

    try:
        final = follow(client, instance_id, timeout, show)
    except KeyboardInterrupt:
        display.close()
        stream.write(f"Stopped following {instance_id}; the run goes on. Follow it again with: "
                     f".venv/bin/python -m local status {instance_id} --follow\n")
        return EXIT_INTERRUPTED, None
    display.close()
    return outcome(final)[0], final
