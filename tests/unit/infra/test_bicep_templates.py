"""Every template in infra/ parses (pycep-parser) and passes the compiler-like checks of bicep_checks.py.

checkov reads the same files with the pycep-parser version it pins (test_checkov.py), so a
template must parse with both. main.parameters.json is what azd passes: it must name only
declared parameters, give every required one, and take the deploying principal from azd.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.unit.infra.bicep_checks import all_problems
from tests.unit.infra.bicep_text import INFRA, MAIN_BICEP
from tests.unit.infra.bicep_tree import literal, parse_json, read

pytestmark = pytest.mark.infra

TEMPLATES = sorted(INFRA.rglob("*.bicep"))
PARAMETERS = json.loads((INFRA / "main.parameters.json").read_text(encoding="utf-8"))["parameters"]


def test_the_templates_are_found():
    assert MAIN_BICEP in TEMPLATES and len(TEMPLATES) >= 9


# pycep's JSON sections, by the declaration kind bicep_tree.py reads from the syntax tree.
SECTIONS = {"param": "parameters", "var": "variables", "resource": "resources", "module": "modules",
            "output": "outputs"}


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(INFRA)))
def test_template_parses_and_both_readings_agree(path):
    parsed = parse_json(path)  # raises on a syntax error
    declared = read(path)
    for kind, section in SECTIONS.items():
        assert sorted(parsed.get(section, {})) == sorted(declared.named(kind)), (path.name, section)
    assert parsed.get("resources") or parsed.get("modules"), f"{path.name} deploys nothing"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(INFRA)))
def test_template_references_only_what_is_declared(path):
    assert all_problems(path) == []


def test_parameters_file_names_only_declared_parameters_and_every_required_one():
    params = read(MAIN_BICEP).named("param")
    assert sorted(PARAMETERS.keys() - params.keys()) == []
    required = {name for name, param in params.items() if param.value is None}
    assert sorted(required - PARAMETERS.keys()) == []


def test_the_deploying_principal_comes_from_azd():
    # azd fills AZURE_PRINCIPAL_ID and AZURE_PRINCIPAL_TYPE (User, or ServicePrincipal when azd
    # runs as one: a hard-coded 'User' fails the user role assignments with UnmatchedPrincipalType).
    assert PARAMETERS["principalId"]["value"] == "${AZURE_PRINCIPAL_ID}"
    assert re.fullmatch(r"\$\{AZURE_PRINCIPAL_TYPE(=User)?\}", PARAMETERS["principalType"]["value"])
    # Not deployer(): checkov's pycep-parser cannot read it, and azd passes the principal anyway.
    assert literal(read(MAIN_BICEP).named("param")["principalId"].value) == ""


def test_parameter_defaults_given_by_azd_are_allowed_values():
    params = read(MAIN_BICEP).named("param")
    for name, entry in PARAMETERS.items():
        default = re.fullmatch(r"\$\{\w+=(.*)\}", entry["value"])
        allowed = params[name].decorators.get("allowed")
        if default and allowed is not None:
            assert default.group(1) in literal(allowed), name
