"""The Bicep checks catch what a compiler would: each broken sample below must be reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.infra.bicep_checks import all_problems
from tests.unit.infra.bicep_tree import interpolated_expressions, read

pytestmark = pytest.mark.infra

MODULE = """
param name string
param location string = 'x'
output endpoint string = 'https://${name}'
"""

GOOD = """
targetScope = 'subscription'
@allowed(['A', 'B'])
param mode string = 'A'
param items array = []
var abbrs = loadJsonContent('./abbr.json')
var prefix = '${abbrs.store}${toLower(mode)}'
var names = [for (item, i) in items: '${prefix}-${item}-${i}']
var pick = map(names, n => length(n))
module m 'mod.bicep' = if (mode == 'A') {
  name: 'm'
  params: {
    name: names[0]
  }
}
resource r 'A/b@2020-01-01' = {
  name: prefix
  properties: {
    kind: 'literal-not-a-reference'
    endpoint: m.outputs.endpoint
    sizes: pick
  }
}
output URL string = '${r.properties.x}/${m.name}'
output MODE string = mode
"""


def _write(tmp_path: Path, main: str) -> Path:
    (tmp_path / "mod.bicep").write_text(MODULE, encoding="utf-8")
    (tmp_path / "abbr.json").write_text('{"store": "st"}', encoding="utf-8")
    path = tmp_path / "main.bicep"
    path.write_text(main, encoding="utf-8")
    return path


def test_a_correct_template_has_no_problems(tmp_path):
    assert all_problems(_write(tmp_path, GOOD)) == []


def test_literals_are_not_references_but_interpolations_are(tmp_path):
    references = {r.name for r in read(_write(tmp_path, GOOD)).references}
    assert "literal-not-a-reference" not in references and "kind" not in references
    assert {"abbrs", "mode", "prefix", "items", "names", "m", "r", "pick"} <= references
    assert not {"item", "i", "n", "outputs", "endpoint", "store"} & references  # locals and members


@pytest.mark.parametrize(("broken", "expected"), [
    (GOOD.replace("name: prefix", "name: prefx"), "'prefx' is not a declared"),
    (GOOD.replace("'${abbrs.store}", "'${abrs.store}"), "'abrs' is not a declared"),
    (GOOD.replace("m.outputs.endpoint", "m.outputs.endpont"), "has no output 'endpont'"),
    (GOOD.replace("m.name}", "m.nmae}"), "'m.nmae' is not a module member"),
    (GOOD.replace("name: names[0]", "name: names[0]\n    colour: 'red'"), "passes 'colour'"),
    (GOOD.replace("    name: names[0]\n", ""), "does not pass 'name'"),
    (GOOD.replace("'mod.bicep'", "'missing.bicep'"), "missing.bicep does not exist"),
    (GOOD.replace("param items array = []", "param items array = []\nparam spare string"),
     "param 'spare' is never used"),
    (GOOD.replace("param mode string = 'A'", "param mode string = 'C'"), "'C' of 'mode' is not in @allowed"),
    (GOOD.replace("abbrs.store", "abbrs.stor"), "abbr.json has no key stor"),
    (GOOD.replace("var pick =", "var names2 = names\nvar pick ="), "var 'names2' is never used"),
    (GOOD + "var prefix = 'again'\n", "prefix is declared 2 times"),
    (GOOD.replace("n => length(n)", "n => length(x)"), "'x' is not a declared"),
])
def test_each_kind_of_mistake_is_reported(tmp_path, broken, expected):
    problems = all_problems(_write(tmp_path, broken))
    assert any(expected in problem for problem in problems), problems


def test_interpolations_are_split_with_nested_braces_and_quotes():
    text = "'${a}-${union(b, {k: '}'})}\\${literal}'"
    assert interpolated_expressions(text) == ["a", "union(b, {k: '}'})"]
