"""Checks a grader's ``{{item.*}}`` references against dataset examples, before anything is paid for.

A grader that names ``{{item.answer}}`` on a dataset whose lines have no ``answer`` would
error on every example after hours of training; ``check_references`` finds it on the first
line that lacks the field and says which line, which grader field and which fields exist.
``sample.*`` references were checked when the grader was parsed (only the sample variables
exist); their paths depend on each answer and cannot be checked against data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from shared.errors import INVALID_GRADER, RequestError
from shared.graders.config import Grader
from shared.graders.templates import ITEM, has_path

MAX_LISTED_FIELDS = 12


def missing_references(grader: Grader, item: dict[str, Any]) -> list[tuple[str, str]]:
    """(config path, reference text) of every ``item`` reference ``item`` cannot satisfy."""
    return [(path, ref.text) for path, ref in grader.references()
            if ref.namespace == ITEM and not has_path(item, ref.path)]


def check_references(graders: Grader | Iterable[Grader], item: dict[str, Any], line: int | None, *,
                     where: str = "grader", file: str | None = None) -> None:
    """RequestError(invalid_grader) naming ``line`` when an ``item`` reference is absent from ``item``.

    ``where`` is the dotted name of the grader (or of the list, ``evaluation.graders``, when a
    list is given: each grader is then ``where[i]``).
    """
    listed = [(where, graders)] if isinstance(graders, Grader) else [
        (f"{where}[{index}]", grader) for index, grader in enumerate(graders)]
    for grader_where, grader in listed:
        problems = missing_references(grader, item)
        if not problems:
            continue
        path, text = problems[0]
        fields = ", ".join(sorted(item)[:MAX_LISTED_FIELDS]) or "none"
        place = f"line {line}" if line is not None else "the example"
        if file:
            place = f"{place} of {file}"
        raise RequestError(INVALID_GRADER, f"{grader_where}.{path} refers to {{{{{text}}}}}, but {place} has "
                           f"no such field (its item fields: {fields}). Add the field to every example or "
                           "change the template.", f"{grader_where}.{path}")
