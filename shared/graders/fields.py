"""The field rules of each grader type (called by ``parse_grader`` in shared/graders/config.py).

Each ``_<type>`` function checks the schema's fields of one type and returns a ``Grader``
with its templates (keyed by the field path they are written in), range, formula or
sub-graders compiled. Messages say which field is wrong and what to write instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from shared.graders import config as c
from shared.graders.formula import FormulaError, compile_formula
from shared.graders.metrics import LOCAL_METRICS, REFUSED_METRICS, SPEC_METRICS
from shared.graders.python_source import PythonSourceError, check_python_source
from shared.graders.templates import Template, TemplateError, compile_template

OPERATIONS = ("eq", "ne", "like", "ilike")
MESSAGE_ROLES = ("user", "assistant", "system", "developer")
REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
# The schema spells it max_completions_tokens; SDKs and the chat API say max_completion_tokens.
SAMPLING_KEYS = ("seed", "top_p", "temperature", "max_completions_tokens", "max_completion_tokens",
                 "reasoning_effort")
MAX_TEMPLATE_CHARS = 100_000
MAX_JUDGE_MESSAGES = 50
MAX_LABELS = 100
KEY_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
DEPLOYMENT_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$")

KEYS: dict[str, tuple[str, ...]] = {
    c.STRING_CHECK: ("input", "reference", "operation"),
    c.TEXT_SIMILARITY: ("input", "reference", "evaluation_metric"),
    c.SCORE_MODEL: ("model", "input", "range", "sampling_params"),
    c.LABEL_MODEL: ("model", "input", "labels", "passing_labels", "sampling_params"),
    c.PYTHON: ("source", "image_tag"),
    c.MULTI: ("graders", "calculate_output"),
    c.JSON_VALID: ("input", "required_keys"),
}


def check(kind: str, config: dict[str, Any], *, purpose: str, where: str) -> c.Grader:
    return _CHECKS[kind](config, purpose, where)


def _template(config: dict[str, Any], key: str, where: str, *, required: bool = True,
              default: str | None = None) -> Template:
    value = config.get(key, default)
    if value is None and not required:
        value = default
    if not isinstance(value, str) or len(value) > MAX_TEMPLATE_CHARS:
        raise c.fail(f"{where}.{key}", f"{where}.{key} must be a string (it may hold templates such as "
                     f"{{{{sample.output_text}}}} or {{{{item.answer}}}}); got {value!r:.80}.")
    try:
        return compile_template(value)
    except TemplateError as exc:
        raise c.fail(f"{where}.{key}", f"{where}.{key}: {exc}") from exc


def _string_check(config: dict[str, Any], purpose: str, where: str) -> c.Grader:
    templates = {key: _template(config, key, where) for key in ("input", "reference")}
    operation = config.get("operation")
    if operation not in OPERATIONS:
        hint = ' (the schema spells "not equal" as "ne")' if operation == "neq" else ""
        raise c.fail(f"{where}.operation", f"{where}.operation is {operation!r}{hint}; use eq, ne, like "
                     "(contains, case-sensitive) or ilike (contains, any case).")
    return c.Grader(c.STRING_CHECK, config["name"], config, templates=templates)


def _text_similarity(config: dict[str, Any], purpose: str, where: str) -> c.Grader:
    templates = {key: _template(config, key, where) for key in ("input", "reference")}
    metric = config.get("evaluation_metric")
    field = f"{where}.evaluation_metric"
    known = (*SPEC_METRICS, *LOCAL_METRICS)
    if metric not in known:
        raise c.fail(field, f"{field} is {metric!r}; use one of {', '.join(dict.fromkeys(known))}.")
    if purpose == c.REINFORCEMENT and metric not in SPEC_METRICS:
        raise c.fail(field, f"{field}: {metric} is this app's own metric and the service does not know "
                     f"it; use one of {', '.join(m for m in SPEC_METRICS if m != 'cosine')}.")
    if metric == "cosine" and purpose == c.REINFORCEMENT:
        raise c.fail(field, f"{field}: cosine is only available for evals, not for reinforcement "
                     "fine-tuning; use fuzzy_match, bleu or a rouge metric.")
    if purpose == c.EVALUATION and metric in REFUSED_METRICS:
        raise c.fail(field, f"{field}: {REFUSED_METRICS[metric]}")
    return c.Grader(c.TEXT_SIMILARITY, config["name"], config, templates=templates)


def _json_valid(config: dict[str, Any], purpose: str, where: str) -> c.Grader:
    templates = {"input": _template(config, "input", where, required=False, default="{{sample.output_text}}")}
    keys = config.get("required_keys", [])
    if not isinstance(keys, list) or not all(isinstance(k, str) and k.strip() for k in keys):
        raise c.fail(f"{where}.required_keys", f"{where}.required_keys must be a list of key names (dotted "
                     f"for nested keys, e.g. \"answer.text\") the JSON object must have; got {keys!r:.80}.")
    return c.Grader(c.JSON_VALID, config["name"], config, templates=templates)


def _model(config: dict[str, Any], purpose: str, where: str) -> None:
    model = config.get("model")
    if purpose == c.REINFORCEMENT and (not isinstance(model, str) or not model.strip()):
        raise c.fail(f"{where}.model", f"{where}.model must name the grader model the service runs, e.g. "
                     "\"o3-mini-2025-01-31\".")
    if purpose == c.EVALUATION and model is not None and (
            not isinstance(model, str) or not DEPLOYMENT_PATTERN.match(model)):
        raise c.fail(f"{where}.model", f"{where}.model names the judge deployment for this grader (leave "
                     f"it out to use evaluation.judge_deployment); got {model!r}.")


def _judge_input(config: dict[str, Any], where: str) -> dict[str, Template]:
    messages = config.get("input")
    if not isinstance(messages, list) or not 1 <= len(messages) <= MAX_JUDGE_MESSAGES:
        raise c.fail(f"{where}.input", f"{where}.input must be a list of 1 to {MAX_JUDGE_MESSAGES} "
                     'messages {"role": "system"|"developer"|"user"|"assistant", "content": "... '
                     '{{sample.output_text}}"}.')
    templates: dict[str, Template] = {}
    for index, message in enumerate(messages):
        at = f"{where}.input[{index}]"
        if not isinstance(message, dict) or set(message) - {"role", "content", "type"}:
            raise c.fail(at, f"{at} must be an object with \"role\" and \"content\" (and optionally "
                         "\"type\": \"message\").")
        if message.get("type", "message") != "message":
            raise c.fail(f"{at}.type", f"{at}.type must be \"message\".")
        if message.get("role") not in MESSAGE_ROLES:
            raise c.fail(f"{at}.role", f"{at}.role must be one of {', '.join(MESSAGE_ROLES)}.")
        templates.update(_content(message.get("content"), f"input[{index}].content", where))
    return templates


def _content(content: Any, path: str, where: str) -> dict[str, Template]:
    at = f"{where}.{path}"
    if isinstance(content, str):
        return {path: _template({"content": content}, "content", at.rsplit(".", 1)[0])}
    if isinstance(content, list):
        if not content:
            raise c.fail(at, f"{at} must not be empty.")
        found: dict[str, Template] = {}
        for index, part in enumerate(content):
            found.update(_content_part(part, f"{path}[{index}]", where))
        return found
    return _content_part(content, path, where)


def _content_part(part: Any, path: str, where: str) -> dict[str, Template]:
    at = f"{where}.{path}"
    kind = part.get("type") if isinstance(part, dict) else None
    if kind in ("input_text", "output_text"):
        return {f"{path}.text": _template(part, "text", at)}
    if kind == "input_image":
        return {f"{path}.image_url": _template(part, "image_url", at)}
    if kind == "input_audio" and isinstance(part.get("input_audio"), dict):
        return {}
    raise c.fail(at, f"{at} must be text, or an object of type input_text, output_text (with \"text\"), "
                 "input_image (with \"image_url\") or input_audio.")


def _sampling(config: dict[str, Any], where: str) -> None:
    params = config.get("sampling_params")
    if params is None:
        return
    at = f"{where}.sampling_params"
    if not isinstance(params, dict) or set(params) - set(SAMPLING_KEYS):
        raise c.fail(at, f"{at} must be an object with some of {', '.join(SAMPLING_KEYS)}.")
    checks: dict[str, tuple[Callable[[Any], bool], str]] = {
        "seed": (lambda v: isinstance(v, int) and not isinstance(v, bool), "a whole number"),
        "top_p": (lambda v: c._number(v) and 0 <= v <= 1, "a number from 0 to 1"),
        "temperature": (lambda v: c._number(v) and 0 <= v <= 2, "a number from 0 to 2"),
        "max_completions_tokens": (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1,
                                   "a whole number of at least 1"),
        "reasoning_effort": (lambda v: v in REASONING_EFFORTS, f"one of {', '.join(REASONING_EFFORTS)}"),
    }
    checks["max_completion_tokens"] = checks["max_completions_tokens"]
    for key, value in params.items():
        test, rule = checks[key]
        if value is not None and not test(value):
            raise c.fail(f"{at}.{key}", f"{at}.{key} must be {rule} or null; got {value!r}.")


def _score_model(config: dict[str, Any], purpose: str, where: str) -> c.Grader:
    _model(config, purpose, where)
    templates = _judge_input(config, where)
    _sampling(config, where)
    bounds = config.get("range", [0, 1])
    if (not isinstance(bounds, list) or len(bounds) != 2 or not all(c._number(b) for b in bounds)
            or not bounds[0] < bounds[1]):
        raise c.fail(f"{where}.range", f"{where}.range must be [low, high] with low < high, e.g. [0, 1] or "
                     f"[1, 5]; got {bounds!r}.")
    return c.Grader(c.SCORE_MODEL, config["name"], config, score_range=(float(bounds[0]), float(bounds[1])),
                    templates=templates)


def _label_model(config: dict[str, Any], purpose: str, where: str) -> c.Grader:
    _model(config, purpose, where)
    templates = _judge_input(config, where)
    _sampling(config, where)
    labels, passing = config.get("labels"), config.get("passing_labels")
    if (not isinstance(labels, list) or not 1 <= len(labels) <= MAX_LABELS
            or not all(isinstance(x, str) and x.strip() for x in labels) or len(set(labels)) != len(labels)):
        raise c.fail(f"{where}.labels", f"{where}.labels must be a list of 1 to {MAX_LABELS} distinct, "
                     f"non-empty strings; got {labels!r:.80}.")
    if not isinstance(passing, list) or not passing or not all(x in labels for x in passing):
        raise c.fail(f"{where}.passing_labels", f"{where}.passing_labels must be a non-empty list taken from "
                     f"labels ({', '.join(labels)}); got {passing!r:.80}.")
    return c.Grader(c.LABEL_MODEL, config["name"], config, templates=templates)


def _python(config: dict[str, Any], purpose: str, where: str) -> c.Grader:
    if purpose == c.EVALUATION:
        raise c.fail(f"{where}.type", f"{where}: this app never executes user code, so a python grader "
                     "cannot score an evaluation; use string_check, text_similarity, json_valid or a "
                     "score_model judge (a reinforcement job's python grader is scored by the service).")
    try:
        check_python_source(config.get("source"))
    except PythonSourceError as exc:
        raise c.fail(f"{where}.source", f"{where}.source: {exc}") from exc
    tag = config.get("image_tag")
    if tag is not None and (not isinstance(tag, str) or not tag.strip()):
        raise c.fail(f"{where}.image_tag", f"{where}.image_tag must be a string such as \"2025-05-08\".")
    return c.Grader(c.PYTHON, config["name"], config)


def _multi(config: dict[str, Any], purpose: str, where: str) -> c.Grader:
    members = config.get("graders")
    at = f"{where}.graders"
    if not isinstance(members, dict) or not members:
        raise c.fail(at, f"{at} must be an object mapping names (used in calculate_output) to graders, e.g. "
                     '{"similarity": {...}, "exact": {...}}.')
    subs: dict[str, c.Grader] = {}
    for key, raw in members.items():
        if not KEY_PATTERN.match(key):
            raise c.fail(f"{at}.{key}", f"{at}: the key {key!r} must be a name calculate_output can use: "
                         "letters, digits and _, not starting with a digit.")
        subs[key] = c.parse_grader(raw, purpose=purpose, where=f"{at}.{key}", nested=True)
    try:
        formula = compile_formula(config.get("calculate_output"), subs)
    except FormulaError as exc:
        raise c.fail(f"{where}.calculate_output", f"{where}.{exc}") from exc
    return c.Grader(c.MULTI, config["name"], config, formula=formula, sub_graders=subs)


_CHECKS: dict[str, Callable[[dict[str, Any], str, str], c.Grader]] = {
    c.STRING_CHECK: _string_check, c.TEXT_SIMILARITY: _text_similarity, c.SCORE_MODEL: _score_model,
    c.LABEL_MODEL: _label_model, c.PYTHON: _python, c.MULTI: _multi, c.JSON_VALID: _json_valid,
}
