"""How a retried upload or submit finds what an earlier attempt created (shared/aoai_ops.py).

The functions take their client as a parameter; here it is a small stand-in whose listings
hold the openai SDK's own types (FileObject, FineTuningJob), in the orders the service may
list them. The same paths run against the emulator over HTTPS in
tests/integration/activities/test_files_and_jobs.py.
"""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

import pytest
from openai.types import FileObject
from openai.types.fine_tuning import FineTuningJob

from shared import aoai_ops

pytestmark = pytest.mark.unit

INSTANCE = "ft-faq-0123456789abcdef"
OURS = "faq-89abcdef-training.jsonl"
TRAINING_FILE = "file-ours"


def a_file(file_id: str, created_at: int, filename: str = OURS, status: str = "processed") -> FileObject:
    # model_construct, as the SDK builds responses: Azure's statuses (pending, deleting...) are not
    # in the SDK's Literal.
    return FileObject.model_construct(id=file_id, bytes=10, created_at=created_at, filename=filename,
                                      object="file", purpose="fine-tune", status=status, status_details=None)


def a_job(job_id: str, training_file: str, metadata: dict[str, str] | None) -> FineTuningJob:
    return FineTuningJob.model_construct(
        id=job_id, created_at=1, hyperparameters={}, model="gpt-4o-mini-2024-07-18", object="fine_tuning.job",
        organization_id="org", result_files=[], seed=7, status="running", training_file=training_file,
        metadata=metadata, fine_tuned_model=None, trained_tokens=None, estimated_finish=None, error=None)


class FakeOpenAI:
    """The parts of ``openai.AzureOpenAI`` that lookups use, over fixed listings; records creations."""

    def __init__(self, files: list[FileObject] = (), jobs: list[FineTuningJob] = ()) -> None:
        self.created: list[tuple[str, dict[str, Any]]] = []
        self.files = SimpleNamespace(list=lambda purpose: [f for f in files if f.purpose == purpose],
                                     create=self._create_file)
        self.fine_tuning = SimpleNamespace(jobs=SimpleNamespace(list=lambda limit: list(jobs),
                                                                create=self._create_job))

    def _create_file(self, file: tuple[str, Any], purpose: str) -> FileObject:
        self.created.append(("file", {"filename": file[0], "purpose": purpose}))
        return a_file("file-new", 9_999, file[0], status="pending")

    def _create_job(self, **kwargs: Any) -> FineTuningJob:
        self.created.append(("job", kwargs))
        return a_job("ftjob-new", kwargs["training_file"], kwargs.get("metadata"))


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0), (0, 2, 1)])
def test_the_newest_file_of_that_name_is_found_whatever_the_listing_order(order) -> None:
    same_name = [a_file("file-old", 100), a_file("file-newest", 300), a_file("file-middle", 200)]
    listing = [same_name[i] for i in order] + [a_file("file-other", 900, filename="other.jsonl")]
    assert aoai_ops.find_file_by_name(FakeOpenAI(files=listing), OURS).id == "file-newest"


def test_deleted_files_and_other_names_are_not_found() -> None:
    listing = [a_file("file-gone", 500, status="deleted"), a_file("file-going", 400, status="deleting"),
               a_file("file-other", 900, filename="other.jsonl"), a_file("file-kept", 100, status="error")]
    assert aoai_ops.find_file_by_name(FakeOpenAI(files=listing), OURS).id == "file-kept"
    assert aoai_ops.find_file_by_name(FakeOpenAI(files=listing[:3]), OURS) is None


def test_a_retried_upload_reuses_the_newest_earlier_upload_and_creates_nothing() -> None:
    client = FakeOpenAI(files=[a_file("file-old", 100), a_file("file-newest", 300)])
    state = aoai_ops.upload_file(client, io.BytesIO(b"{}\n"), OURS)
    assert (state["file_id"], state["reused"]) == ("file-newest", True)
    assert client.created == []
    fresh = FakeOpenAI()
    assert aoai_ops.upload_file(fresh, io.BytesIO(b"{}\n"), OURS)["reused"] is False
    assert fresh.created == [("file", {"filename": OURS, "purpose": "fine-tune"})]


REQUEST = {"instance_id": INSTANCE, "model": "gpt-4o-mini-2024-07-18", "training_file_id": TRAINING_FILE}


def test_submit_finds_the_runs_job_by_its_metadata() -> None:
    client = FakeOpenAI(jobs=[a_job("ftjob-other", "file-x", {"finetune_run": "ft-other-1"}),
                              a_job("ftjob-ours", "file-y", {"finetune_run": INSTANCE})])
    snapshot = aoai_ops.submit_job(client, REQUEST)
    assert (snapshot["job_id"], snapshot["reused"]) == ("ftjob-ours", True)
    assert client.created == []


def test_submit_finds_the_runs_job_by_its_training_file_when_the_service_dropped_the_metadata() -> None:
    client = FakeOpenAI(jobs=[a_job("ftjob-other", "file-x", None),
                              a_job("ftjob-ours", TRAINING_FILE, None)])
    snapshot = aoai_ops.submit_job(client, REQUEST)
    assert (snapshot["job_id"], snapshot["reused"]) == ("ftjob-ours", True)
    assert client.created == []  # a second job would train (and bill) the same data again


def test_submit_creates_a_job_when_no_job_is_this_runs() -> None:
    client = FakeOpenAI(jobs=[a_job("ftjob-other", "file-x", {"finetune_run": "ft-other-1"})])
    snapshot = aoai_ops.submit_job(client, {**REQUEST, "seed": 7, "validation_file_id": None})
    assert (snapshot["job_id"], snapshot["reused"]) == ("ftjob-new", False)
    [(kind, kwargs)] = client.created
    assert kind == "job" and kwargs == {"model": REQUEST["model"], "training_file": TRAINING_FILE, "seed": 7,
                                        "metadata": {"finetune_run": INSTANCE},
                                        # always sent: the method and the training tier (issue 13)
                                        "method": {"type": "supervised"},
                                        "extra_body": {"trainingType": "Standard"}}
