"""Grader templates: ``{{ item.<path> }}`` and ``{{ sample.<variable>[.<path>] }}`` in grader strings.

The syntax is the Azure OpenAI / OpenAI graders' one: a reference is ``namespace.variable``
in double braces, ``namespace`` is ``item`` (the dataset example's fields) or ``sample`` (the
model's answer), and nested values are reached with a JSON-path-like suffix
(``item.ground_truth.date``, ``sample.output_tools[0].function.name``).

Templates are compiled once (``compile_template``) and rendered many times. A missing
``item`` field is a data or configuration problem (``MissingField``; ``check_references``
reports it before anything is paid for); a missing ``sample`` path is the model's answer
lacking something and renders as an empty string, so the answer is scored, not excused.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

ITEM = "item"
SAMPLE = "sample"
# The sample namespace of the graders docs ("Sample namespace"): output_json only when the answer is JSON.
SAMPLE_VARIABLES = ("output_text", "output_json", "output_tools", "choices", "output_audio")

_REFERENCE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_SEGMENT = re.compile(r"\.([A-Za-z0-9_][A-Za-z0-9_-]*)|\[(\d+)\]")
_NAMESPACE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class TemplateError(ValueError):
    """A template that cannot be compiled: the message says what to write instead."""


class MissingField(LookupError):
    """An ``item`` reference names a field the example does not have."""

    def __init__(self, reference: Reference) -> None:
        super().__init__(f"{{{{{reference.text}}}}} names a field the example does not have")
        self.reference = reference


@dataclass(frozen=True)
class Reference:
    """One ``{{ namespace.path }}``: the namespace and the keys/indexes under it."""

    namespace: str
    path: tuple[str | int, ...]
    text: str  # as written, without braces and outer spaces


@dataclass(frozen=True)
class Template:
    """A compiled template: literal text and references, in order."""

    source: str
    parts: tuple[str | Reference, ...]

    @property
    def references(self) -> tuple[Reference, ...]:
        return tuple(part for part in self.parts if isinstance(part, Reference))

    def render(self, item: dict[str, Any], sample: dict[str, Any]) -> str:
        """The text with every reference replaced; raises ``MissingField`` for an absent item field."""
        if len(self.parts) == 1 and isinstance(self.parts[0], str):
            return self.parts[0]
        return "".join(part if isinstance(part, str) else as_text(resolve(part, item, sample))
                       for part in self.parts)


def parse_reference(text: str) -> Reference:
    """``item.answer`` / ``sample.output_tools[0].function.name`` -> Reference; TemplateError if malformed."""
    body = text.strip()
    head = _NAMESPACE.match(body)
    if not head:
        raise TemplateError(f"{{{{{body}}}}} is not a reference; write {{{{item.<field>}}}} or "
                            "{{sample.output_text}}.")
    namespace, position, path = head.group(0), head.end(), []
    while position < len(body):
        segment = _SEGMENT.match(body, position)
        if not segment:
            raise TemplateError(f"{{{{{body}}}}} has an unreadable path at {body[position:]!r}; use "
                                "dotted names and [n] indexes, e.g. {{item.answer.text}} or "
                                "{{sample.output_tools[0].function.name}}.")
        path.append(segment.group(1) if segment.group(1) is not None else int(segment.group(2)))
        position = segment.end()
    if namespace not in (ITEM, SAMPLE):
        raise TemplateError(f"{{{{{body}}}}} uses the namespace {namespace!r}; only item and sample exist.")
    if not path or not isinstance(path[0], str):
        raise TemplateError(f"{{{{{body}}}}} names no variable; write {namespace}.<name>, e.g. "
                            + ("{{item.answer}}." if namespace == ITEM else "{{sample.output_text}}."))
    if namespace == SAMPLE and path[0] not in SAMPLE_VARIABLES:
        raise TemplateError(f"{{{{{body}}}}}: sample has no variable {path[0]!r}; use one of "
                            f"{', '.join(SAMPLE_VARIABLES)}.")
    return Reference(namespace, tuple(path), body)


def compile_template(source: str) -> Template:
    """Split ``source`` into literal text and references (TemplateError when one is malformed)."""
    parts: list[str | Reference] = []
    position = 0
    for match in _REFERENCE.finditer(source):
        if match.start() > position:
            parts.append(source[position:match.start()])
        parts.append(parse_reference(match.group(1)))
        position = match.end()
    if position < len(source) or not parts:
        parts.append(source[position:])
    return Template(source, tuple(parts))


_MISSING = object()


def lookup(value: Any, path: tuple[str | int, ...]) -> Any:
    """Follow ``path`` into dicts and lists; the ``_MISSING`` marker when a step is absent."""
    for step in path:
        if isinstance(value, dict):
            value = value.get(str(step), _MISSING)
        elif isinstance(value, list) and (isinstance(step, int) or step.isdigit()):
            index = int(step)
            value = value[index] if index < len(value) else _MISSING
        else:
            return _MISSING
        if value is _MISSING:
            return _MISSING
    return value


def resolve(reference: Reference, item: dict[str, Any], sample: dict[str, Any]) -> Any:
    """The value a reference stands for: MissingField for an item path, None for a sample path."""
    if reference.namespace == ITEM:
        value = lookup(item, reference.path)
        if value is _MISSING:
            raise MissingField(reference)
        return value
    value = lookup(sample, reference.path)
    return None if value is _MISSING else value


def has_path(value: Any, path: tuple[str | int, ...]) -> bool:
    """True when every step of ``path`` exists in ``value``."""
    return lookup(value, path) is not _MISSING


def as_text(value: Any) -> str:
    """How a value is written into a template: strings as they are, the rest as JSON, None as ''."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def make_sample(output_text: str | None, *, tool_calls: list[dict[str, Any]] | None = None,
                choices: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The ``sample`` namespace for one answer of a chat deployment.

    ``output_json`` is the answer parsed as JSON when it is JSON (as the graders' run API does),
    else None; ``output_tools`` is the answer's ``tool_calls``.
    """
    text = output_text or ""
    try:
        output_json = json.loads(text) if text.strip() else None
    except ValueError:
        output_json = None
    return {"output_text": text, "output_json": output_json, "output_tools": list(tool_calls or []),
            "choices": list(choices or []), "output_audio": None}
