"""The CLI's decisions: exit codes of a followed run, the approval hint, the missing-packages message."""

from __future__ import annotations

import pytest

import local.__main__ as cli
from local.runs import approval_hint, outcome

pytestmark = pytest.mark.unit

ID = "ft-faq-0123456789abcdef"


def _done(**output) -> dict:
    return {"runtimeStatus": "Completed", "output": {"fine_tuned_model": "m.ft-1", **output}}


@pytest.mark.parametrize(("status", "code", "words"), [
    (_done(status="succeeded", deployment="faq-v1", smoke_test={"reply": "Yes."}), 0, "deployed as faq-v1"),
    (_done(status="succeeded", deployment=None, smoke_test=None), 0, "deployment.enabled is false"),
    (_done(status="cancelled", cancelled_at_stage="monitor", note="wrong data"), 0, "(wrong data)"),
    (_done(status="rejected", note="loss too high"), 0, "rejected: model m.ft-1 trained, not deployed"),
    (_done(status="superseded"), 0, "newer upload"),
    (_done(status="succeeded", deployment="faq-v1", smoke_test={"reply": ""}), 1, "no smoke-test reply"),
    ({"runtimeStatus": "Failed", "customStatus": {"error": {"code": "job_failed", "stage": "monitor",
                                                            "message": "bad"}}}, 1, "[job_failed]"),
    ({"runtimeStatus": "Terminated", "output": "by admin"}, 1, "Terminated"),
    ({"runtimeStatus": "Running"}, 4, "the run goes on"),
    (None, 1, "never appeared"),
])
def test_a_followed_run_exits_0_when_it_ended_as_asked(status, code, words) -> None:
    got, why = outcome(status)
    assert got == code and words in why


def test_a_run_waiting_for_approval_says_what_to_type() -> None:
    waiting = {"customStatus": {"status": "waiting_for_approval",
                                "approval_deadline": "2026-12-02T08:00:00Z"}}
    hint = approval_hint(ID, waiting)
    assert "until 2026-12-02T08:00:00Z" in hint
    assert f".venv/bin/python -m local approve {ID}" in hint and f"local reject {ID} --reason" in hint
    assert approval_hint(ID, {"customStatus": {"status": "running"}}) is None


def test_a_python_without_the_project_s_packages_gets_one_line_saying_what_to_run(monkeypatch, capsys):
    real = cli.importlib.import_module

    def import_module(name: str):
        if name == "local.commands.drop":
            raise ModuleNotFoundError("No module named 'azure'", name="azure")
        return real(name)

    monkeypatch.setattr(cli.importlib, "import_module", import_module)
    assert cli.main(["drop", "samples/azure-faq"]) == 2
    err = capsys.readouterr().err
    assert "lacks the project's packages (no module 'azure')" in err
    assert "'.venv/bin/python -m local drop ...'" in err and "Traceback" not in err


def test_ctrl_c_in_a_command_is_one_line_and_exit_130(monkeypatch, capsys):
    import local.commands.status as status

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(status, "run", interrupted)
    assert cli.main(["status"]) == 130
    assert capsys.readouterr().err == "python -m local status: interrupted\n"
