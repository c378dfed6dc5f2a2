"""The activities' shared convention: permanent failures returned, transient ones raised, payloads checked."""

from __future__ import annotations

import pytest

from activities import _common, files
from shared import errors
from shared.payloads import FileRef

pytestmark = pytest.mark.unit


def test_a_pipeline_error_is_returned_and_anything_else_is_raised() -> None:
    def permanent() -> dict:
        raise errors.PipelineError(errors.INVALID_DATASET, "Fix line 3.")

    expected = {"error": {"code": errors.INVALID_DATASET, "message": "Fix line 3."}}
    assert _common.run("x", permanent) == expected

    def transient() -> dict:
        raise ConnectionError("reset by peer")

    with pytest.raises(ConnectionError):
        _common.run("x", transient)


def test_a_malformed_payload_is_a_returned_internal_error() -> None:
    result = files.get_file_status.build().get_user_function()({"not_a_file_id": 1})
    assert result["error"]["code"] == errors.INTERNAL and "FileRef" in result["error"]["message"]
    assert _common.parse(FileRef, {"file_id": "file-1", "extra": True}).file_id == "file-1"


def test_reports_beside_the_datasets_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATASETS_CONTAINER", "shared")
    monkeypatch.setenv("REPORTS_CONTAINER", "shared")
    result = _common.run("x", lambda: {"settings": _common.settings()})
    assert result["error"]["code"] == "invalid_setting" and "REPORTS_CONTAINER" in result["error"]["message"]
