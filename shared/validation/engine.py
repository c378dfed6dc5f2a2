"""The streaming pass: lines in, a PartialResult out (one core, memory bounded by the longest line).

``validate_range_chunks`` is the unit of work; ``validate_chunks`` is the same pass
over a whole stream, finalised into a report; ``validate_path`` (parallel.py)
fans ranges of a local file out to processes and merges them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from hashlib import blake2b

from shared.tokenizer import get_encoding
from shared.validation import codes
from shared.validation.options import ResolvedOptions, ValidationOptions
from shared.validation.partial import PartialResult
from shared.validation.ranges import OwnedLines
from shared.validation.report import ValidationReport, finalize
from shared.validation.rules import ExampleChecker, Problem
from shared.validation.tokens import TokenCounter

BOM = b"\xef\xbb\xbf"
_checkers: dict[tuple[str, str | None, tuple[str, ...]], ExampleChecker] = {}


def checker_for(encoding_name: str, method: str | None = None, item_fields: tuple[str, ...] = ()
                ) -> ExampleChecker:
    """The process's checker for one encoding and method (built once: the encoding takes a second to load)."""
    key = (encoding_name, method, item_fields)
    checker = _checkers.get(key)
    if checker is None:
        counter = TokenCounter(get_encoding(encoding_name))
        checker = _checkers[key] = ExampleChecker(counter, method, item_fields)
    return checker


def validate_range_chunks(
    chunks: Iterable[bytes], options: ValidationOptions, *, range_start: int, range_end: int
) -> PartialResult:
    """Validate the lines that byte range [range_start, range_end) owns (see ranges.py).

    ``chunks`` are the file's bytes from ``range_start`` to at least the first newline at or
    after ``range_end`` (or the end of the file); bytes beyond are ignored.
    """
    if range_start < 0 or range_end < range_start:
        raise ValueError(f"Invalid range [{range_start}, {range_end}).")
    lines = OwnedLines(chunks, skip_partial_first=range_start > 0, limit=range_end - range_start)
    return _scan(lines, options.resolve(), at_file_start=range_start == 0)


def validate_chunks(
    chunks: Iterable[bytes], options: ValidationOptions, *, total_bytes: int | None = None
) -> ValidationReport:
    """Validate a whole file given as a stream of byte chunks, in one pass on one core."""
    resolved = options.resolve()
    partial = _scan(OwnedLines(chunks, skip_partial_first=False, limit=None), resolved, at_file_start=True)
    return finalize(partial, options, total_bytes=total_bytes)


def _scan(lines: OwnedLines, resolved: ResolvedOptions, *, at_file_start: bool) -> PartialResult:
    partial = PartialResult()
    checker = checker_for(resolved.encoding, resolved.options.method, resolved.options.item_fields)
    check, warnings, note = checker.check, checker.warnings, partial.note
    loads = json.loads
    limit = resolved.token_limit
    totals, assistants, n_messages = partial.total_tokens, partial.assistant_tokens, partial.message_counts
    example_lines, digests = partial.example_lines, partial.digests
    format_counts, format_first = partial.format_counts, partial.format_first_line
    line_no = 0
    for batch in lines:
        for raw in batch:
            line_no += 1
            if raw[-1:] == b"\r":
                raw = raw[:-1]
            if line_no == 1 and at_file_start and raw[:3] == BOM:
                raw = raw[3:]
            if not raw or raw.isspace():
                partial.blank_lines += 1
                note(codes.BLANK_LINE, line_no, "The line is blank and is skipped; remove it.")
                continue
            try:
                fmt, total, assistant, count = check(loads(raw.decode()))
            except Problem as problem:
                note(problem.code, line_no, problem.message)
                warnings.clear()
                continue
            except UnicodeDecodeError as exc:
                note(codes.INVALID_UTF8, line_no, f"The line is not valid UTF-8 (byte {exc.start + 1}); "
                     "save the file as UTF-8.")
                continue
            except ValueError as exc:  # json.JSONDecodeError, or a number too long to parse
                note(codes.INVALID_JSON, line_no, f"The line is not valid JSON ({exc}); put exactly one "
                     "JSON object on each line.")
                continue
            except RecursionError:
                note(codes.INVALID_JSON, line_no, "The line nests too deeply to parse; simplify it.")
                continue
            for code, message in warnings:
                note(code, line_no, message)
            if total > limit:
                note(codes.TOO_MANY_TOKENS, line_no, f"The example has {total} tokens; the limit for this "
                     f"model is {limit}. Shorten or split it.")
            else:
                partial.valid_examples += 1
            if fmt in format_counts:
                format_counts[fmt] += 1
            else:
                format_counts[fmt] = 1
                format_first[fmt] = line_no
            totals.append(total)
            assistants.append(assistant)
            n_messages.append(count)
            example_lines.append(line_no)
            digests += blake2b(raw, digest_size=8).digest()
    partial.lines = line_no
    partial.bytes = lines.owned_bytes
    return partial
