"""Graders of reinforcement fine-tuning: the checks of /fine_tuning/alpha/graders/validate and /run.

Shapes: openai/openai-openapi ``ValidateGraderRequest``/``RunGraderRequest``/``RunGraderResponse``
and the ``Grader*`` schemas, which Azure's v1 spec exposes under the same paths. A top-level
grader is string_check, text_similarity, python, score_model or multi; label_model only inside
multi. Model graders name a grader model of the service (Azure's RFT docs: gpt-4o-2024-08-06,
o3-mini-2025-01-31), not a deployment. ``run`` answers as the service does: a reward, the
sub-rewards of a multi grader, and error flags instead of an HTTP error when the grader fails on
this item (a missing item field, a python exception...). How model graders score here is the
emulator's own deterministic stand-in (docs/emulator.md, "Graders").
"""

from __future__ import annotations

import ast
import time
from typing import Any

from local.aoai.errors import aoai_error
from local.aoai.models import grader_exec as ex

TOP_TYPES = ("string_check", "text_similarity", "python", "score_model", "multi")
MEMBER_TYPES = ("string_check", "text_similarity", "python", "score_model", "label_model")
OPERATIONS = ("eq", "ne", "like", "ilike")
METRICS = ("fuzzy_match", "bleu", "gleu", "meteor", "cosine", "rouge_1", "rouge_2", "rouge_3", "rouge_4",
           "rouge_5", "rouge_l")
GRADER_MODELS = ("gpt-4o-2024-08-06", "o3-mini-2025-01-31", "gpt-4o", "o3-mini")
ROLES = ("system", "developer", "user", "assistant")
MAX_SOURCE_BYTES = 256 * 1024
REQUIRED = {"string_check": ("input", "reference", "operation"),
            "text_similarity": ("input", "reference", "evaluation_metric"), "python": ("source",),
            "score_model": ("model", "input"), "label_model": ("model", "input", "labels", "passing_labels"),
            "multi": ("graders", "calculate_output")}
ERROR_FLAGS = ("formula_parse_error", "sample_parse_error", "truncated_observation_error",
               "unresponsive_reward_error", "invalid_variable_error", "other_error",
               "python_grader_server_error",
               "python_grader_runtime_error", "model_grader_server_error", "model_grader_refusal_error",
               "model_grader_parse_error")


def _bad(message: str, param: str) -> Exception:
    return aoai_error(400, "invalidPayload", message, param)


def validate(grader: Any, where: str = "grader", member: bool = False) -> None:
    """Raise 400 invalidPayload naming the field when the service would refuse ``grader``."""
    types = MEMBER_TYPES if member else TOP_TYPES
    if not isinstance(grader, dict) or grader.get("type") not in types:
        raise _bad(f"{where}.type must be one of {', '.join(types)}.", f"{where}.type")
    kind = grader["type"]
    if not isinstance(grader.get("name"), str) or not grader["name"]:
        raise _bad(f"{where}.name is required.", f"{where}.name")
    for key in REQUIRED[kind]:
        if grader.get(key) is None:
            raise _bad(f"{where}.{key} is required for a {kind} grader.", f"{where}.{key}")
    if kind == "string_check" and grader["operation"] not in OPERATIONS:
        raise _bad(f"{where}.operation must be one of {', '.join(OPERATIONS)}.", f"{where}.operation")
    if kind == "text_similarity":
        if grader["evaluation_metric"] not in METRICS:
            raise _bad(f"{where}.evaluation_metric must be one of {', '.join(METRICS)}.",
                       f"{where}.evaluation_metric")
        if grader["evaluation_metric"] == "cosine":
            raise _bad("cosine is only available for evals.", f"{where}.evaluation_metric")
    if kind == "python":
        _check_source(grader["source"], where)
    if kind in ("score_model", "label_model"):
        _check_model_grader(grader, where)
    if kind == "multi":
        _check_multi(grader, where)
    for key in ("input", "reference"):
        if isinstance(grader.get(key), str):
            _check_templates(grader[key], f"{where}.{key}")


def _check_templates(text: str, where: str) -> None:
    for opened in text.split("{{")[1:]:
        body = opened.split("}}", 1)[0]
        if not ex.TEMPLATE.fullmatch("{{" + body + "}}"):
            raise _bad(f"{where}: {{{{{body.strip()}}}}} is not a valid variable; use "
                       "{{item.<field>}} or {{sample.output_text}}.", where)


def _check_source(source: Any, where: str) -> None:
    if not isinstance(source, str) or len(source.encode()) >= MAX_SOURCE_BYTES:
        raise _bad(f"{where}.source must be Python source under 256 kB.", f"{where}.source")
    try:
        tree = ast.parse(source)
        compile(tree, "<grader>", "exec")
    except (SyntaxError, ValueError) as exc:
        raise _bad(f"{where}.source does not compile: {exc}.", f"{where}.source") from None
    if not any(isinstance(node, ast.FunctionDef) and node.name == "grade" for node in tree.body):
        raise _bad(f"{where}.source must define grade(sample, item).", f"{where}.source")


def _check_model_grader(grader: dict[str, Any], where: str) -> None:
    if grader["model"] not in GRADER_MODELS:
        raise _bad(f"{where}.model {grader['model']!r} cannot be used as a grader; use one of "
                   f"{', '.join(GRADER_MODELS[:2])}.", f"{where}.model")
    messages = grader["input"]
    if not isinstance(messages, list) or not messages or not all(
            isinstance(m, dict) and m.get("role") in ROLES for m in messages):
        raise _bad(f"{where}.input must be a list of messages with roles {', '.join(ROLES)}.",
                   f"{where}.input")
    if grader["type"] == "label_model":
        labels, passing = grader["labels"], grader["passing_labels"]
        if not isinstance(labels, list) or not labels or not set(passing or []) <= set(labels):
            raise _bad(f"{where}.passing_labels must be a subset of labels.", f"{where}.passing_labels")
    bounds = grader.get("range", [0, 1])
    if not isinstance(bounds, list) or len(bounds) != 2 or not bounds[0] < bounds[1]:
        raise _bad(f"{where}.range must be [low, high] with low < high.", f"{where}.range")


def _check_multi(grader: dict[str, Any], where: str) -> None:
    members = grader["graders"]
    if not isinstance(members, dict) or not members:
        raise _bad(f"{where}.graders must map names to graders.", f"{where}.graders")
    for key, sub in members.items():
        validate(sub, f"{where}.graders.{key}", member=True)
    try:
        ex.check_formula(str(grader["calculate_output"]), set(members))
    except (SyntaxError, ValueError) as exc:
        raise _bad(f"{where}.calculate_output cannot be parsed: {exc}.",
                   f"{where}.calculate_output") from None


# ---- run ----
def _model_score(grader: dict[str, Any], item: dict[str, Any], sample: dict[str, Any]) -> float:
    """The emulator's model grader: how similar the answer is to the rendered prompt, in its range."""
    prompt = " ".join(ex.render(m["content"], item, sample) for m in grader["input"]
                      if isinstance(m.get("content"), str))
    low, high = grader.get("range", [0, 1])
    return low + (high - low) * ex.similarity("fuzzy_match", sample["output_text"], prompt)


def _score(grader: dict[str, Any], item: dict[str, Any], sample: dict[str, Any], errors: dict[str, Any],
           subs: dict[str, float]) -> float:
    kind = grader["type"]
    if kind == "string_check":
        text, ref = (ex.render(grader[key], item, sample) for key in ("input", "reference"))
        hit = {"eq": text == ref, "ne": text != ref, "like": ref in text,
               "ilike": ref.lower() in text.lower()}
        return float(hit[grader["operation"]])
    if kind == "text_similarity":
        text, ref = (ex.render(grader[key], item, sample) for key in ("input", "reference"))
        return ex.similarity(grader["evaluation_metric"], text, ref)
    if kind == "score_model":
        return _model_score(grader, item, sample)
    if kind == "label_model":
        label = grader["passing_labels"][0] if _model_score(grader, item, sample) >= 0.5 else next(
            (x for x in grader["labels"] if x not in grader["passing_labels"]), grader["labels"][0])
        return float(label in grader["passing_labels"])
    if kind == "python":
        score, problem = ex.run_python(grader["source"], sample, item)
        if score is None:
            errors["python_grader_runtime_error"] = True
            errors["python_grader_runtime_error_details"] = problem
            return 0.0
        return score
    for key, sub in grader["graders"].items():  # multi
        subs[key] = _score(sub, item, sample, errors, {})
    return ex.evaluate_formula(grader["calculate_output"], subs)


def run(grader: dict[str, Any], item: Any, model_sample: Any) -> dict[str, Any]:
    """The RunGraderResponse of ``grader`` on one item and model sample (validated first)."""
    validate(grader)
    if not isinstance(model_sample, str):
        raise _bad("model_sample is required: the model's answer, as a string.", "model_sample")
    if item is not None and not isinstance(item, dict):
        raise _bad("item must be an object (the dataset example's fields).", "item")
    errors: dict[str, Any] = {flag: False for flag in ERROR_FLAGS}
    errors.update(python_grader_server_error_type=None, python_grader_runtime_error_details=None,
                  model_grader_server_error_details=None)
    subs: dict[str, float] = {}
    started = time.monotonic()
    try:
        reward = _score(grader, item or {}, ex.sample_namespace(model_sample), errors, subs)
    except ex.MissingVariable:
        errors["invalid_variable_error"], reward = True, 0.0
    except (ValueError, ArithmeticError, OverflowError):  # a metric not computed here, a division by 0
        errors["other_error"], reward = True, 0.0
    model = next((g.get("model") for g in [grader, *(grader.get("graders") or {}).values()]
                  if isinstance(g, dict) and g.get("model")), None)
    return {
        "reward": reward,
        "metadata": {"name": grader["name"], "type": grader["type"], "errors": errors,
                     "execution_time": round(time.monotonic() - started, 4), "scores": dict(subs),
                     "token_usage": None, "sampled_model_name": model},
        "sub_rewards": dict(subs),
        "model_grader_token_usage_per_model": {},
    }
