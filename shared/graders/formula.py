"""The ``calculate_output`` formula of a multi grader: parsed with ``ast``, never executed as code.

What the Azure OpenAI RFT docs allow, and nothing else: numbers, the names of the
sub-graders (the keys of ``graders``), ``+ - * /``, ``^`` for power (``**`` is read the
same way), parentheses, unary minus, and the functions min, max, abs, floor, ceil, exp,
sqrt and log (natural). The tree is checked once (``compile_formula``) and walked by
``Formula.evaluate``: a plain interpreter over numbers, so no user code runs.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

MAX_FORMULA_CHARS = 2_000

FUNCTIONS: dict[str, tuple[Callable[..., float], int, int | None]] = {
    # name: (function, fewest arguments, most arguments or None for any number)
    "min": (min, 1, None),
    "max": (max, 1, None),
    "abs": (abs, 1, 1),
    "floor": (math.floor, 1, 1),
    "ceil": (math.ceil, 1, 1),
    "exp": (math.exp, 1, 1),
    "sqrt": (math.sqrt, 1, 1),
    "log": (math.log, 1, 1),
}
_BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_UNARY: dict[type, Callable[[float], float]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_SYMBOLS = {ast.BitXor: "^", ast.BitAnd: "&", ast.BitOr: "|", ast.Mod: "%", ast.FloorDiv: "//",
            ast.LShift: "<<", ast.RShift: ">>", ast.MatMult: "@"}


class FormulaError(ValueError):
    """A formula outside the allowed grammar; the message names the part and what is allowed."""


class FormulaValueError(ArithmeticError):
    """The formula has no finite value for these scores (division by zero, log of 0, overflow)."""


@dataclass(frozen=True)
class Formula:
    """A checked formula: its text, its tree and the sub-grader names it uses."""

    source: str
    tree: ast.Expression
    names: frozenset[str]

    def evaluate(self, scores: Mapping[str, float]) -> float:
        """The formula's value for the sub-graders' scores; FormulaValueError when it has none."""
        try:
            value = float(_evaluate(self.tree.body, scores))
        except (ZeroDivisionError, OverflowError, ValueError) as exc:
            raise FormulaValueError(f"calculate_output has no value for these scores: {exc}") from exc
        if not math.isfinite(value):
            raise FormulaValueError(f"calculate_output gave {value} for these scores.")
        return value


def compile_formula(source: str, names: Iterable[str]) -> Formula:
    """Check ``source`` against the grammar and the sub-grader ``names``; FormulaError otherwise."""
    allowed = frozenset(names)
    if not isinstance(source, str) or not source.strip():
        raise FormulaError("calculate_output must be a formula such as \"(similarity + exact) / 2\".")
    if len(source) > MAX_FORMULA_CHARS:
        raise FormulaError(f"calculate_output is longer than {MAX_FORMULA_CHARS} characters.")
    # ^ is the docs' power operator; Python would read it as xor with a lower precedence than *.
    text = source.replace("^", "**")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        where = f" near column {exc.offset}" if exc.offset else ""
        raise FormulaError(f"calculate_output {source!r} does not parse{where}: {exc.msg}. Check the "
                           "parentheses and operators (+ - * / ^).") from exc
    used: set[str] = set()
    _check_node(tree.body, allowed, used, source)
    return Formula(source, tree, frozenset(used))


def _check_node(node: ast.AST, allowed: frozenset[str], used: set[str], source: str) -> None:
    """Check ``node`` and, recursively, its operands (a call's function name is checked as a call)."""
    functions = ", ".join(FUNCTIONS)
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            symbol = _SYMBOLS.get(type(node.op), type(node.op).__name__)
            raise FormulaError(f"calculate_output {source!r} uses {symbol!r}; only + - * / ^ are allowed.")
        _check_node(node.left, allowed, used, source)
        _check_node(node.right, allowed, used, source)
    elif isinstance(node, ast.UnaryOp):
        if type(node.op) not in _UNARY:
            raise FormulaError(f"calculate_output {source!r} uses a unary operator other than - or +.")
        _check_node(node.operand, allowed, used, source)
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise FormulaError(f"calculate_output {source!r} contains {node.value!r}; only numbers, "
                               "sub-grader names and functions are allowed.")
    elif isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise FormulaError(f"calculate_output {source!r} uses the function {node.id} without "
                               f"calling it; write it as {node.id}(...).")
        if node.id not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            raise FormulaError(f"calculate_output {source!r} names {node.id!r}, which is not a key of "
                               f"graders (keys: {known}).")
        used.add(node.id)
    elif isinstance(node, ast.Call):
        _check_call(node, source, functions)
        for argument in node.args:
            _check_node(argument, allowed, used, source)
    else:
        raise FormulaError(f"calculate_output {source!r} contains {type(node).__name__.lower()} syntax; "
                           f"only arithmetic, sub-grader names and {functions} are allowed.")


def _check_call(node: ast.Call, source: str, functions: str) -> None:
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
        raise FormulaError(f"calculate_output {source!r} calls something other than {functions}.")
    if node.keywords or any(isinstance(arg, ast.Starred) for arg in node.args):
        raise FormulaError(f"calculate_output {source!r}: {node.func.id}() takes plain arguments only.")
    _, fewest, most = FUNCTIONS[node.func.id]
    if len(node.args) < fewest or (most is not None and len(node.args) > most):
        count = f"{fewest}" if most == fewest else f"at least {fewest}"
        raise FormulaError(f"calculate_output {source!r}: {node.func.id}() takes {count} argument(s), "
                           f"not {len(node.args)}.")


def _evaluate(node: ast.AST, scores: Mapping[str, float]) -> float:
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return float(scores[node.id])
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, scores), _evaluate(node.right, scores)
        if isinstance(node.op, ast.Pow) and left < 0 and not float(right).is_integer():
            raise ValueError("a negative number to a fractional power")
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_evaluate(node.operand, scores))
    if isinstance(node, ast.Call):
        function = FUNCTIONS[node.func.id][0]  # type: ignore[union-attr]  (checked at compile)
        return float(function(*(_evaluate(arg, scores) for arg in node.args)))
    raise FormulaValueError(f"unexpected {type(node).__name__} in a checked formula")
