"""From a (merged) PartialResult to the validation report: file-level rules, statistics, billing.

The report's JSON schema is documented in docs/validation.md; ``to_dict`` is that document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.validation import codes
from shared.validation.billing import billing_section
from shared.validation.options import ResolvedOptions, ValidationOptions
from shared.validation.partial import PartialResult
from shared.validation.stats import as_int_array, distribution, duplicates
from shared.validation.summary import summary_text

SCHEMA_VERSION = 1


@dataclass
class ValidationReport:
    """The outcome of validating one file; ``to_dict()`` is the JSON report."""

    data: dict[str, Any]

    @property
    def ok(self) -> bool:
        return bool(self.data["ok"])

    def to_dict(self) -> dict[str, Any]:
        return self.data

    def summary_text(self, max_listed: int = 10) -> str:
        """A readable summary: verdict, counts, first errors and warnings, token statistics, cost."""
        return summary_text(self.data, max_listed)


def finalize(partial: PartialResult, options: ValidationOptions, *, total_bytes: int | None = None
             ) -> ValidationReport:
    """The report of a whole file from its (merged) partial result."""
    resolved = options.resolve()
    file_errors = _file_errors(partial, resolved, partial.bytes if total_bytes is None else total_bytes)
    counts = dict(partial.counts)
    listed = {code: list(items) for code, items in partial.listed.items()}
    _add_duplicates(partial, counts, listed)
    for code, _message in file_errors:
        counts[code] = 1
    errors = [{"line": None, "code": code, "message": message} for code, message in file_errors]
    errors += _entries(listed, codes.LINE_ERROR_CODES)
    warnings = _entries(listed, codes.WARNING_CODES)
    totals = as_int_array(partial.total_tokens)
    assistants = as_int_array(partial.assistant_tokens)
    data = {
        "schema_version": SCHEMA_VERSION,
        "ok": not errors,
        "role": options.role,
        "format": _main_format(partial),
        "method": options.method,
        "model": resolved.model,
        "encoding": resolved.encoding,
        "bytes": partial.bytes if total_bytes is None else total_bytes,
        "lines": partial.lines,
        "blank_lines": partial.blank_lines,
        "examples": partial.valid_examples,
        "counted_examples": int(totals.size),
        "invalid_lines": sum(counts.get(code, 0) for code in codes.LINE_ERROR_CODES),
        "errors": errors,
        "error_counts": {code: counts[code] for code in codes.ERROR_CODES if counts.get(code)},
        "warnings": warnings,
        "warning_counts": {code: counts[code] for code in codes.WARNING_CODES if counts.get(code)},
        "messages_per_example": distribution(as_int_array(partial.message_counts)),
        "tokens": {"total": distribution(totals), "assistant": distribution(assistants)},
        "billing": billing_section(
            totals, partial.valid_examples, model=resolved.model, token_limit=resolved.token_limit,
            n_epochs=options.n_epochs, price_overrides=options.price_overrides,
            training_type=options.training_type, method=options.method,
            method_hyperparameters=options.method_hyperparameters,
            rft_example_epochs_per_hour=options.rft_example_epochs_per_hour,
        ),
    }
    return ValidationReport(data)


def _main_format(partial: PartialResult) -> str | None:
    if not partial.format_first_line:
        return None
    return min(partial.format_first_line, key=partial.format_first_line.__getitem__)


def _file_errors(partial: PartialResult, resolved: ResolvedOptions, size: int) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    limit = resolved.options.max_file_bytes
    if size > limit:
        errors.append((codes.FILE_TOO_LARGE, f"The file has {size} bytes; the limit is {limit} bytes "
                       f"({limit / 2**20:.0f} MB). Split it or remove examples."))
    if partial.lines == partial.blank_lines:
        errors.append((codes.EMPTY_FILE, "The file holds no examples; put one JSON example on each line."))
    elif partial.valid_examples < resolved.min_examples:
        errors.append((codes.TOO_FEW_EXAMPLES, f"The {resolved.options.role} file has "
                       f"{partial.valid_examples} valid example(s); at least {resolved.min_examples} are "
                       "needed. Fix the invalid lines or add examples."))
    if len(partial.format_counts) > 1:
        main = _main_format(partial)
        other = next(fmt for fmt in partial.format_counts if fmt != main)
        first = partial.format_first_line
        errors.append((codes.MIXED_FORMATS, f"The file mixes formats: line {first[main]} starts {main} "
                       f"examples but line {first[other]} is a {other} example "
                       f"({partial.format_counts[other]} in all). Keep one format per file."))
    return errors


def _add_duplicates(partial: PartialResult, counts: dict[str, int], listed: dict[str, list]) -> None:
    digests = partial.digest_array()
    count, pairs = duplicates(digests, as_int_array(partial.example_lines), codes.MAX_LISTED_PER_CODE)
    del digests  # a view that pins the bytearray
    if count:
        counts[codes.DUPLICATE_EXAMPLE] = count
        listed[codes.DUPLICATE_EXAMPLE] = [
            (line, f"The example repeats line {first} exactly; remove the copy unless the repetition is "
             "intended.") for line, first in pairs
        ]


def _entries(listed: dict[str, list[tuple[int, str]]], wanted: tuple[str, ...]) -> list[dict[str, Any]]:
    entries = [
        {"line": line, "code": code, "message": message}
        for code in wanted for line, message in listed.get(code, [])
    ]
    entries.sort(key=lambda entry: (entry["line"], wanted.index(entry["code"])))
    return entries
