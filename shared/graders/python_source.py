"""Checks of a python grader's source that need no execution: size, syntax and ``grade(sample, item)``.

The service runs the code in its own sandbox (Azure RFT docs: under 256 kB, a ``grade``
function taking ``sample`` and ``item``, returning a number). This app only parses and
compiles it (``compile`` builds a code object; nothing is run), so a typo fails before the
job is paid for.
"""

from __future__ import annotations

import ast
from typing import Any

MAX_SOURCE_BYTES = 256 * 1024


class PythonSourceError(ValueError):
    """The source would be refused or could never work; the message says what to fix."""


def check_python_source(source: Any) -> ast.FunctionDef:
    """The top-level ``grade`` function of ``source``; PythonSourceError when the source cannot work."""
    if not isinstance(source, str) or not source.strip():
        raise PythonSourceError('it must be Python code defining "def grade(sample, item) -> float".')
    size = len(source.encode("utf-8"))
    if size >= MAX_SOURCE_BYTES:
        raise PythonSourceError(f"it is {size:,} bytes; the service takes less than 256 kB.")
    try:
        tree = ast.parse(source, filename="<grader>")
        compile(tree, "<grader>", "exec", dont_inherit=True)  # compile-time errors too; never executed
    except SyntaxError as exc:
        raise PythonSourceError(f"line {exc.lineno}: {exc.msg}.") from exc
    except ValueError as exc:  # e.g. a NUL character
        raise PythonSourceError(f"it does not compile: {exc}.") from exc
    grade = next((node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "grade"),
                 None)
    if grade is None:
        hint = " (an async def cannot be called by the service)" if any(
            isinstance(node, ast.AsyncFunctionDef) and node.name == "grade" for node in tree.body) else ""
        raise PythonSourceError(f'it defines no top-level "def grade(sample, item)"{hint}.')
    arguments = grade.args
    positional = len(arguments.posonlyargs) + len(arguments.args)
    required = positional - len(arguments.defaults)
    required_keywords = sum(1 for default in arguments.kw_defaults if default is None)
    if required > 2 or required_keywords or (positional < 2 and arguments.vararg is None):
        raise PythonSourceError(f"grade takes {_signature(grade)}; the service calls it with two positional "
                                "arguments, grade(sample, item).")
    return grade


def _signature(function: ast.FunctionDef) -> str:
    return f"({ast.unparse(function.args)})" if function.args else "()"
