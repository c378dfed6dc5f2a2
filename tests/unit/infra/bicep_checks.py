"""Checks a Bicep compiler would make, on what bicep_tree.py reads: each returns the problems found.

No Bicep compiler can be installed on our machines, so these stand in for its name resolution:
every identifier is declared, every parameter and variable is used (the linter's
no-unused-params / no-unused-vars), a local module is given only parameters it declares and all
it requires, ``module.outputs.x`` names a declared output, ``loadJsonContent`` keys exist, and an
@allowed parameter's default is allowed. Registry modules (``br/public:...``) cannot be read
offline: only their symbolic name is checked.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from lark import Tree

from tests.unit.infra.bicep_tree import BicepFile, Declaration, literal, loaded_json_path, read

REFERABLE = ("param", "var", "resource", "module")
# What `someModule.<member>` may name in Bicep.
MODULE_MEMBERS = {"outputs", "name"}


def duplicates(bicep: BicepFile) -> list[str]:
    # Outputs have a namespace of their own (`param name` and `output name` may coexist).
    symbols = Counter(d.name for d in bicep.declarations if d.kind != "output")
    outputs = Counter(d.name for d in bicep.declarations if d.kind == "output")
    return [f"{name} is declared {n} times" for counts in (symbols, outputs)
            for name, n in counts.items() if n > 1]


def unresolved(bicep: BicepFile) -> list[str]:
    declared = {d.name for d in bicep.declarations if d.kind in REFERABLE}
    return [f"line {r.line}: '{r.name}' is not a declared parameter, variable, resource or module"
            for r in bicep.references if r.name not in declared]


def unused(bicep: BicepFile) -> list[str]:
    used = {r.name for r in bicep.references}
    return [f"line {d.line}: {d.kind} '{d.name}' is never used" for d in bicep.declarations
            if d.kind in ("param", "var") and d.name not in used]


def disallowed_defaults(bicep: BicepFile) -> list[str]:
    problems = []
    for param in bicep.named("param").values():
        allowed, default = param.decorators.get("allowed"), param.value
        if allowed is None or default is None:
            continue
        try:
            value = literal(default)
        except ValueError:
            continue  # an expression: only the deployment knows its value
        if value not in literal(allowed):
            problems.append(f"line {param.line}: default {value!r} of '{param.name}' is not in @allowed")
    return problems


def module_problems(bicep: BicepFile) -> list[str]:
    problems, local = [], {}
    modules = bicep.named("module")
    for module in modules.values():
        if module.module_path.startswith("br"):
            continue
        target = bicep.path.parent / module.module_path
        if not target.is_file():
            problems.append(f"module '{module.name}': {module.module_path} does not exist")
            continue
        local[module.name] = read(target)
        problems.extend(_module_params_problems(module, local[module.name]))
    for reference in bicep.references:
        if reference.name not in modules or not reference.members:
            continue
        member = reference.members[0]
        if member not in MODULE_MEMBERS:
            problems.append(f"line {reference.line}: '{reference.name}.{member}' is not a module member")
        elif member == "outputs" and reference.name in local:
            name = reference.members[1] if len(reference.members) > 1 else None
            if name not in local[reference.name].named("output"):
                problems.append(f"line {reference.line}: module '{reference.name}' has no output '{name}'")
    return problems


def _module_params_problems(module: Declaration, target: BicepFile) -> list[str]:
    given = set(_object_keys(_module_body(module), "params"))
    declared = target.named("param")
    required = {name for name, p in declared.items() if p.value is None}
    problems = [f"module '{module.name}' passes '{name}', which {target.path.name} does not declare"
                for name in sorted(given - declared.keys())]
    problems += [f"module '{module.name}' does not pass '{name}', which {target.path.name} requires"
                 for name in sorted(required - given)]
    return problems


def _module_body(module: Declaration) -> Tree:
    body = module.value
    if body.data == "deploy_condition":  # `= if (condition) { ... }`
        body = body.children[-1]
    if body.data != "object":
        raise AssertionError(f"module '{module.name}': only a plain or conditional object body is understood")
    return body


def _object_keys(obj: Tree, key: str) -> list[str]:
    """Keys of the object under ``key`` in ``obj`` (e.g. the names in ``params: {...}``)."""
    for pair in obj.children:
        if isinstance(pair, Tree) and pair.data == "pair" and _key(pair) == key:
            value = pair.children[1]
            return [_key(p) for p in value.children if isinstance(p, Tree) and p.data == "pair"]
    return []


def _key(pair: Tree) -> str:
    return str(pair.children[0].children[0]).strip("'")


def json_key_problems(bicep: BicepFile) -> list[str]:
    """Members read from ``loadJsonContent`` files, directly or through a variable, exist there."""
    loaded = {name: path for name, var in bicep.named("var").items()
              if var.value is not None and (path := loaded_json_path(var.value)) is not None}
    accesses = [(a.path, a.members, a.line) for a in bicep.json_accesses]
    accesses += [(loaded[r.name], r.members, r.line) for r in bicep.references if r.name in loaded]
    problems = []
    for path, members, line in accesses:
        value = json.loads((bicep.path.parent / path).read_text(encoding="utf-8"))
        for depth, member in enumerate(members):
            if not isinstance(value, dict) or member not in value:
                problems.append(f"line {line}: {path} has no key {'.'.join(members[:depth + 1])}")
                break
            value = value[member]
    return problems


def all_problems(path: Path) -> list[str]:
    bicep = read(path)
    checks = (duplicates, unresolved, unused, disallowed_defaults, module_problems, json_key_problems)
    return [problem for check in checks for problem in check(bicep)]
