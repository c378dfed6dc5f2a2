"""The two halves of a model grader (score_model, label_model), without I/O.

``judge_request(grader, item, sample)`` builds the keyword arguments of one chat completion
for the judge deployment (``client.chat.completions.create(model=deployment, **request)``):
the grader's messages with their templates rendered, an instruction naming the JSON reply
expected, a strict ``response_format`` schema, and the grader's ``sampling_params``.
``parse_judge_reply(text, grader)`` reads the judge's answer. The reply format is the one
the service's score_model uses (``{"result": number, "steps": [...]}``); label_model answers
``{"label": "..."}``. A reply that is not JSON, lacks the field or is out of range gives an
*errored* result (the example is counted and left out), never an exception; the service
itself would clamp or score 0 instead (docs/evaluation.md says why we do not).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from shared.graders import config as c
from shared.graders.scoring import GradeResult, errored, missing_field, scored
from shared.graders.templates import MissingField

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL | re.IGNORECASE)
_STEPS = {"type": "array", "items": {
    "type": "object", "properties": {"description": {"type": "string"}, "conclusion": {"type": "string"}},
    "required": ["description", "conclusion"], "additionalProperties": False}}


def _require_judge(grader: c.Grader) -> None:
    if grader.type not in (c.SCORE_MODEL, c.LABEL_MODEL):
        raise ValueError(f"{grader.name} is a {grader.type} grader, not a model grader")


def _render_part(grader: c.Grader, part: Any, path: str, item: dict, sample: dict) -> dict[str, Any]:
    if isinstance(part, str):
        return {"type": "text", "text": grader.templates[path].render(item, sample)}
    kind = part["type"]
    if kind in ("input_text", "output_text"):
        return {"type": "text", "text": grader.templates[f"{path}.text"].render(item, sample)}
    if kind == "input_image":
        image = {"url": grader.templates[f"{path}.image_url"].render(item, sample)}
        if part.get("detail"):
            image["detail"] = part["detail"]
        return {"type": "image_url", "image_url": image}
    return {"type": "input_audio", "input_audio": dict(part["input_audio"])}


def _render_content(grader: c.Grader, content: Any, path: str, item: dict, sample: dict) -> str | list:
    parts = ([_render_part(grader, part, f"{path}[{i}]", item, sample) for i, part in enumerate(content)]
             if isinstance(content, list) else [_render_part(grader, content, path, item, sample)])
    if all(part["type"] == "text" for part in parts):
        return "\n\n".join(part["text"] for part in parts)
    return parts


def _instruction(grader: c.Grader) -> str:
    if grader.type == c.SCORE_MODEL:
        low, high = grader.score_range
        return ('Reply with one JSON object and nothing else: {"steps": [{"description": "...", '
                f'"conclusion": "..."}}], "result": <a number from {low:g} to {high:g}>}}.')
    labels = ", ".join(json.dumps(label) for label in grader.config["labels"])
    return f'Reply with one JSON object and nothing else: {{"label": <one of {labels}>}}.'


def judge_messages(grader: c.Grader, item: dict[str, Any], sample: dict[str, Any]) -> list[dict[str, Any]]:
    """The chat messages for the judge; MissingField when an ``item`` reference is absent."""
    _require_judge(grader)
    messages = []
    for index, message in enumerate(grader.config["input"]):
        # "developer" is understood only by newer models and api-versions; every chat model reads system.
        role = "system" if message["role"] == "developer" else message["role"]
        content = _render_content(grader, message["content"], f"input[{index}].content", item, sample)
        messages.append({"role": role, "content": content})
    messages.append({"role": "system", "content": _instruction(grader)})
    return messages


def _response_format(grader: c.Grader) -> dict[str, Any]:
    if grader.type == c.SCORE_MODEL:
        properties: dict[str, Any] = {"steps": _STEPS, "result": {"type": "number"}}
    else:
        properties = {"label": {"type": "string", "enum": list(grader.config["labels"])}}
    schema = {"type": "object", "properties": properties, "required": list(properties),
              "additionalProperties": False}
    return {"type": "json_schema", "json_schema": {"name": f"{grader.type}_reply", "strict": True,
                                                   "schema": schema}}


def judge_request(grader: c.Grader, item: dict[str, Any], sample: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments of the judge's chat completion (all but ``model``, the deployment)."""
    request: dict[str, Any] = {"messages": judge_messages(grader, item, sample),
                               "response_format": _response_format(grader)}
    params = grader.config.get("sampling_params") or {}
    for key in ("seed", "top_p", "temperature", "reasoning_effort"):
        if params.get(key) is not None:
            request[key] = params[key]
    tokens = params.get("max_completions_tokens", params.get("max_completion_tokens"))
    if tokens is not None:
        request["max_completion_tokens"] = tokens
    return request


def judge_request_or_error(grader: c.Grader, item: dict[str, Any],
                           sample: dict[str, Any]) -> dict[str, Any] | GradeResult:
    """``judge_request``, or the errored result when the example lacks a referenced field."""
    try:
        return judge_request(grader, item, sample)
    except MissingField as exc:
        return missing_field(grader, exc)


def parse_judge_reply(text: str | None, grader: c.Grader) -> GradeResult:
    """The judge's reply as a grade; an errored result when it is not the JSON asked for."""
    _require_judge(grader)
    if not isinstance(text, str) or not text.strip():
        return errored(f"{grader.name}: the judge gave an empty reply.")
    fenced = _FENCE.match(text)
    body = fenced.group(1) if fenced else text.strip()
    try:
        reply = json.loads(body)
    except ValueError:
        return errored(f"{grader.name}: the judge's reply is not JSON: {text.strip()[:120]!r}.")
    if not isinstance(reply, dict):
        return errored(f"{grader.name}: the judge's reply is JSON but not an object: {body[:120]!r}.")
    if grader.type == c.LABEL_MODEL:
        return _label(grader, reply)
    value = reply.get("result")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return errored(f"{grader.name}: the judge's reply has no numeric \"result\": {body[:120]!r}.")
    low, high = grader.score_range
    if not low <= value <= high:
        return errored(f"{grader.name}: the judge answered {value:g}, outside the grader's range "
                       f"[{low:g}, {high:g}].")
    return scored(grader, float(value))


def _label(grader: c.Grader, reply: dict[str, Any]) -> GradeResult:
    label = reply.get("label")
    labels = grader.config["labels"]
    if label not in labels:
        return errored(f"{grader.name}: the judge answered the label {label!r}, which is not one of "
                       f"{', '.join(labels)}.")
    return scored(grader, 1.0 if label in grader.config["passing_labels"] else 0.0, label=label)
