"""How the emulated service runs graders: templates, text metrics, formulas and python graders.

The emulator imports nothing of the app (it stands for Azure, which the app calls): this is
its own small implementation of what the graders docs describe, used by the graders run
endpoint (models/graders.py). A python grader runs as the service runs it, in a separate
process (here: ``python -I``) with the documented limits where this machine can apply them
(2 GB of memory, 2 minutes of CPU); unlike Azure's sandbox it is not cut off from the network.
"""

from __future__ import annotations

import ast
import json
import math
import operator
import re
import resource
import subprocess
import sys
from collections.abc import Callable
from typing import Any

TEMPLATE = re.compile(r"\{\{\s*(item|sample)((?:\.[A-Za-z0-9_-]+|\[\d+\])*)\s*\}\}")
STEP = re.compile(r"\.([A-Za-z0-9_-]+)|\[(\d+)\]")
PYTHON_TIMEOUT_S = 120.0
PYTHON_MEMORY_BYTES = 2 * 1024**3
FUNCTIONS: dict[str, Callable[..., float]] = {
    "min": min, "max": max, "abs": abs, "floor": math.floor, "ceil": math.ceil, "exp": math.exp,
    "sqrt": math.sqrt, "log": math.log,
}
OPERATORS: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.Pow: operator.pow, ast.BitXor: operator.pow,  # the docs write power as ^
}


class MissingVariable(LookupError):
    """A template names an item field the item does not have (the service's invalid_variable_error)."""


def sample_namespace(model_sample: str) -> dict[str, Any]:
    """The ``sample`` namespace of a model sample: output_text, and output_json when it is JSON."""
    try:
        parsed = json.loads(model_sample)
    except ValueError:
        parsed = None
    return {"output_text": model_sample, "output_json": parsed if isinstance(parsed, (dict, list)) else None,
            "output_tools": [], "choices": []}


def _lookup(value: Any, path: str, strict: bool) -> Any:
    for key, index in STEP.findall(path):
        if index:
            ok = isinstance(value, list) and int(index) < len(value)
            value = value[int(index)] if ok else None
        else:
            ok = isinstance(value, dict) and key in value
            value = value[key] if ok else None
        if not ok:
            if strict:
                raise MissingVariable(path)
            return None
    return value


def render(text: str, item: dict[str, Any], sample: dict[str, Any]) -> str:
    """The template with every reference replaced; MissingVariable for an absent item field."""

    def value(match: re.Match[str]) -> str:
        namespace, path = match.group(1), match.group(2)
        found = _lookup(item if namespace == "item" else sample, path, strict=namespace == "item")
        if found is None:
            return ""
        return found if isinstance(found, str) else json.dumps(found)

    return TEMPLATE.sub(value, text)


# ---- Text similarity ----
def similarity(metric: str, text: str, reference: str) -> float:
    """A 0..1 similarity; ValueError for a metric the emulator does not compute (meteor, cosine)."""
    if metric == "fuzzy_match":
        from rapidfuzz import fuzz, utils

        return fuzz.ratio(text, reference, processor=utils.default_process) / 100
    if metric == "bleu":
        import sacrebleu

        return sacrebleu.sentence_bleu(text, [reference]).score / 100
    if metric == "gleu":
        from nltk.translate.gleu_score import sentence_gleu

        return float(sentence_gleu([reference.split()], text.split()))
    if metric.startswith("rouge_"):
        from rouge_score import rouge_scorer

        kind = "rougeL" if metric == "rouge_l" else f"rouge{metric[-1]}"
        return float(rouge_scorer.RougeScorer([kind]).score(reference, text)[kind].fmeasure)
    raise ValueError(f"{metric} is not computed by the emulator (it needs WordNet or an embeddings model)")


# ---- calculate_output ----
def check_formula(formula: str, names: set[str]) -> None:
    """ValueError when the formula is not arithmetic over ``names`` and the documented functions."""
    tree = ast.parse(formula.replace("^", "**"), mode="eval")
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in names and node.id not in FUNCTIONS:
            raise ValueError(f"unknown name {node.id!r} (graders: {', '.join(sorted(names))})")
        allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.USub, ast.UAdd, ast.Constant, ast.Name,
                   ast.Load, ast.Call, *OPERATORS)
        if not isinstance(node, allowed) or (isinstance(node, ast.Constant) and not isinstance(
                node.value, (int, float))):
            raise ValueError(f"{type(node).__name__} is not allowed; use + - * / ^, numbers, grader names "
                             f"and {', '.join(FUNCTIONS)}")
        if isinstance(node, ast.Call) and not (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS):
            raise ValueError("only the documented functions can be called")


def evaluate_formula(formula: str, scores: dict[str, float]) -> float:
    tree = ast.parse(formula.replace("^", "**"), mode="eval")

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return scores[node.id]
        if isinstance(node, ast.UnaryOp):
            return -walk(node.operand) if isinstance(node.op, ast.USub) else walk(node.operand)
        if isinstance(node, ast.BinOp):
            return OPERATORS[type(node.op)](walk(node.left), walk(node.right))
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        return float(FUNCTIONS[node.func.id](*(walk(arg) for arg in node.args)))

    return walk(tree)


# ---- python graders ----
RUNNER = """
import json, sys
job = json.loads(sys.stdin.read())
scope = {}
exec(compile(job["source"], "<grader>", "exec"), scope)
print(json.dumps({"score": float(scope["grade"](job["sample"], job["item"]))}))
"""


def _limits() -> None:  # in the child, before exec
    resource.setrlimit(resource.RLIMIT_AS, (PYTHON_MEMORY_BYTES, PYTHON_MEMORY_BYTES))
    cpu = int(PYTHON_TIMEOUT_S)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))


def run_python(source: str, sample: dict[str, Any], item: dict[str, Any]) -> tuple[float | None, str | None]:
    """(score, None), or (None, the runtime error's last line) of ``grade(sample, item)``."""
    payload = json.dumps({"source": source, "sample": sample, "item": item})
    try:
        done = subprocess.run([sys.executable, "-I", "-c", RUNNER], input=payload, capture_output=True,
                              text=True, timeout=PYTHON_TIMEOUT_S, preexec_fn=_limits, check=False)
    except subprocess.TimeoutExpired:
        return None, f"grade() ran longer than {PYTHON_TIMEOUT_S:g} seconds"
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        return None, lines[-1] if lines else f"the grader exited with status {done.returncode}"
    try:
        return float(json.loads(done.stdout.strip().splitlines()[-1])["score"]), None
    except (ValueError, KeyError, IndexError, TypeError):
        return None, "grade() did not return a number"
