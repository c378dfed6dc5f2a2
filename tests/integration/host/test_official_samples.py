"""The official samples-v2 apps of Azure/azure-functions-durable-python, run unmodified on the local host.

Needs a checkout of those samples, which CI cannot fetch (no network): set DURABLE_SAMPLES_DIR to its
``samples-v2`` folder to run this; it is skipped otherwise. scripts/run_durable_samples.py runs the
same checks from the command line; docs/local-host.md records the commit checked and the result.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scripts.run_durable_samples import CHECKS

SAMPLES_DIR = os.environ.get("DURABLE_SAMPLES_DIR", "")
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not SAMPLES_DIR, reason="set DURABLE_SAMPLES_DIR to a samples-v2 checkout to run it"),
]


@pytest.mark.parametrize("name", list(CHECKS))
def test_official_sample_runs_unmodified(name: str, azurite, tmp_path: Path) -> None:
    sample = Path(SAMPLES_DIR) / name
    before = {p.name: p.read_bytes() for p in sample.glob("*.py")}
    summary = CHECKS[name](sample, tmp_path, azurite)
    assert summary
    assert {p.name: p.read_bytes() for p in sample.glob("*.py")} == before  # the checkout is left untouched
