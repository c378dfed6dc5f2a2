"""Just enough reading of our Bicep files for the tests that keep infra/ and the code in step.

Not a Bicep parser: it reads the object literals and declarations our templates use
(``var name = { key: value ... }``, ``var name = 'text'``, ``output NAME type = ...``).
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
INFRA = REPO / "infra"
MAIN_BICEP = INFRA / "main.bicep"

_KEY = re.compile(r"^\s*(?:'([^']+)'|([A-Za-z_][A-Za-z0-9_]*))\s*:")


def _code_of_line(line: str) -> str:
    """A line without its // comment; a // inside a 'string' (https://...) is kept."""
    in_string = escaped = False
    for index, char in enumerate(line):
        if in_string:
            in_string = char != "'" or escaped
            escaped = char == "\\" and not escaped
        elif char == "'":
            in_string = True
        elif line.startswith("//", index):
            return line[:index].rstrip()
    return line.rstrip()


def strip_comments(text: str) -> str:
    """The text without // line comments (our templates use no /* */ comments)."""
    return "\n".join(_code_of_line(line) for line in text.splitlines())


def object_block(text: str, var_name: str) -> str:
    """The body of ``var <var_name> = { ... }`` (or ``= condition ? { ... } : {}``), braces balanced."""
    match = re.search(rf"^var {re.escape(var_name)} = (?:\w+ \? )?\{{", text, re.MULTILINE)
    if match is None:
        raise AssertionError(f"main.bicep has no 'var {var_name} = {{' object")
    depth, start = 1, match.end()
    for index in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return text[start:index]
    raise AssertionError(f"the object 'var {var_name}' is not closed")


def object_keys(block: str) -> dict[str, str]:
    """Top-level keys of an object body, each with the text of its value."""
    keys: dict[str, str] = {}
    depth = 0
    for line in strip_comments(block).splitlines():
        match = _KEY.match(line) if depth == 0 else None
        if match:
            keys[match.group(1) or match.group(2)] = line[match.end():].strip()
        depth += line.count("{") + line.count("[") - line.count("}") - line.count("]")
    return keys


def string_var(text: str, var_name: str) -> str:
    """The value of ``var <var_name> = '<literal>'``."""
    match = re.search(rf"^var {re.escape(var_name)} = '([^']*)'$", strip_comments(text), re.MULTILINE)
    if match is None:
        raise AssertionError(f"main.bicep has no string literal 'var {var_name} = ...'")
    return match.group(1)


def outputs(text: str) -> dict[str, str]:
    """Every ``output NAME type = expression`` of a template: name -> expression."""
    return {m.group(1): m.group(2).strip()
            for m in re.finditer(r"^output (\w+) \w+ = (.+)$", text, re.MULTILINE)}
