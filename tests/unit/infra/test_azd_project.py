"""azure.yaml and docs/deploy.md agree with what azd and the templates really do."""

from __future__ import annotations

import json
import re

import pytest

from tests.unit.infra.bicep_text import INFRA, MAIN_BICEP, REPO
from tests.unit.infra.bicep_tree import read

pytestmark = pytest.mark.unit

AZURE_YAML = (REPO / "azure.yaml").read_text(encoding="utf-8")
DEPLOY_DOC = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
ABBREVIATIONS = json.loads((INFRA / "abbreviations.json").read_text(encoding="utf-8"))
# azd 1.18.0 is the first to honour .funcignore when packaging a function app (Azure/azure-dev#5383).
MIN_AZD = (1, 18, 0)


def test_azure_yaml_requires_an_azd_that_honours_funcignore():
    requirement = r'^requiredVersions:\n  azd: ["\']>= ?(\d+)\.(\d+)\.(\d+)["\']$'
    match = re.search(requirement, AZURE_YAML, re.MULTILINE)
    assert match, "azure.yaml must declare requiredVersions.azd as '>= x.y.z'"
    assert tuple(int(part) for part in match.groups()) >= MIN_AZD
    assert (REPO / ".funcignore").is_file()


def _created_resource_names() -> list[str]:
    """The backticked names in the 'Name' column of docs/deploy.md's 'What gets created' table."""
    section = DEPLOY_DOC.split("## What gets created", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line][1:]
    return [name for row in rows for name in re.findall(r"`([^`]+)`", row.split("|")[2])]


def test_deploy_doc_names_resources_with_the_templates_prefixes():
    names = _created_resource_names()
    used = {r.members[0] for r in read(MAIN_BICEP).references if r.name == "abbrs"}
    assert used, "main.bicep names no resource from abbreviations.json"
    for key in sorted(used - {"resourcesResourceGroups"}):  # the group is named in the prose: rg-<env>
        prefix = ABBREVIATIONS[key]
        assert any(name.startswith(prefix) for name in names), f"docs/deploy.md has no `{prefix}…` ({key})"
    for name in names:
        assert any(name.startswith(prefix) for prefix in ABBREVIATIONS.values()), \
            f"docs/deploy.md names `{name}`, which no prefix in abbreviations.json makes"
