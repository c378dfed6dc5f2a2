"""Fixtures shared by every test tier: Azurite, and the path to the team's lab datasets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from local.azurite import Azurite, start_azurite
from tests.fixtures.emulator import *  # noqa: F403  (fixtures of the emulator)
from tests.fixtures.host import *  # noqa: F403  (fixtures of the local host)

REPO_ROOT = Path(__file__).resolve().parent.parent
LAB_DATASETS = REPO_ROOT.parent / "shared" / "datasets" / "lab"


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    """A real Azurite (blob, queue, table) on free ports for the whole session."""
    server = start_azurite(tmp_path_factory.mktemp("azurite"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def lab_datasets() -> Path:
    """The exercise's two files from ../shared/datasets/lab; skip when that folder is absent."""
    if not (LAB_DATASETS / "training_set.jsonl").exists():
        pytest.skip("../shared/datasets/lab is not beside the repository")
    return LAB_DATASETS
