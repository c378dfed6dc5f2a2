"""Fixtures shared by every test tier: Azurite, and the path to the team's lab datasets."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from local.azurite import Azurite, start_azurite
from tests.fixtures.emulator import *  # noqa: F403  (fixtures of the emulator)
from tests.fixtures.host import *  # noqa: F403  (fixtures of the local host)
from tests.fixtures.missing import missing_fixture

REPO_ROOT = Path(__file__).resolve().parent.parent
# The team's shared/ folder beside the checkout; LAB_DATASETS names another place (a worktree, mutants/).
LAB_DATASETS = Path(os.environ.get("LAB_DATASETS") or REPO_ROOT.parent / "shared" / "datasets" / "lab")


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
    """The exercise's two files from ../shared/datasets/lab; skip when absent (fail in CI)."""
    if not (LAB_DATASETS / "training_set.jsonl").exists():
        missing_fixture(f"the lab datasets are not at {LAB_DATASETS} (../shared/datasets/lab beside the "
                        "repository, or the folder the LAB_DATASETS environment variable names)")
    return LAB_DATASETS
