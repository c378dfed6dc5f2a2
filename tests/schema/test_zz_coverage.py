"""Run last in the tier: every emulator route was exercised, and every documented difference was seen
and is listed in docs/emulator.md (so no difference hides behind an unused exemption)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.schema.contract import ALL_ROUTES, REPO_ROOT
from tests.schema.differences import DIFFERENCES

pytestmark = pytest.mark.schema
TIER = Path(__file__).parent


def _whole_tier_ran(request: pytest.FixtureRequest) -> bool:
    modules = {p.name for p in TIER.glob("test_*.py")} - {Path(__file__).name}
    ran = {Path(str(item.fspath)).name for item in request.session.items}
    return modules <= ran and not request.session.testsfailed


def test_every_route_was_checked_against_its_contract(request, contract):
    if not _whole_tier_ran(request):
        pytest.skip("only part of the schema tier ran (or some of it failed): coverage is not meaningful")
    missing = sorted(ALL_ROUTES - contract.covered)
    assert not missing, f"routes no schema test reached: {missing}"


def test_every_documented_difference_was_seen_and_is_in_the_docs(request, contract):
    if not _whole_tier_ran(request):
        pytest.skip("only part of the schema tier ran (or some of it failed): coverage is not meaningful")
    ids = {d.id for d in DIFFERENCES}
    assert ids <= contract.differences_seen, (
        f"documented but never seen: {sorted(ids - contract.differences_seen)}"
    )
    docs = (REPO_ROOT / "docs" / "emulator.md").read_text(encoding="utf-8")
    assert all(f"`{i}`" in docs for i in ids), [i for i in ids if f"`{i}`" not in docs]
