"""The stable error and warning codes of dataset validation (a user-facing contract).

The strings are part of the README, the reports and HTTP statuses: never rename one.
docs/validation.md explains each code and how to fix it.
"""

from __future__ import annotations

# File-level errors: reported once, with "line": null.
EMPTY_FILE = "empty_file"
TOO_FEW_EXAMPLES = "too_few_examples"
FILE_TOO_LARGE = "file_too_large"
MIXED_FORMATS = "mixed_formats"

# Per-line errors: one per line (the first rule the line breaks), with its 1-based physical line.
INVALID_UTF8 = "invalid_utf8"
INVALID_JSON = "invalid_json"
NOT_AN_OBJECT = "not_an_object"
MISSING_MESSAGES = "missing_messages"
MESSAGE_NOT_OBJECT = "message_not_object"
MISSING_ROLE = "missing_role"
UNRECOGNIZED_ROLE = "unrecognized_role"
UNRECOGNIZED_KEY = "unrecognized_key"
MISSING_CONTENT = "missing_content"
INVALID_CONTENT = "invalid_content"
NO_ASSISTANT_MESSAGE = "no_assistant_message"
INVALID_WEIGHT = "invalid_weight"
INVALID_TOOL_CALL = "invalid_tool_call"
TOO_MANY_TOKENS = "too_many_tokens"
INVALID_PREFERENCE_EXAMPLE = "invalid_preference_example"
# The run's method decides the format: supervised takes chat examples, dpo preference examples,
# reinforcement chat prompts whose last message is the user's (the model answers it).
FORMAT_NOT_FOR_METHOD = "format_not_for_method"
LAST_MESSAGE_NOT_USER = "last_message_not_user"
MISSING_GRADER_FIELD = "missing_grader_field"  # a reinforcement example lacks a field its grader reads

FILE_ERROR_CODES: tuple[str, ...] = (EMPTY_FILE, TOO_FEW_EXAMPLES, FILE_TOO_LARGE, MIXED_FORMATS)
LINE_ERROR_CODES: tuple[str, ...] = (
    INVALID_UTF8, INVALID_JSON, NOT_AN_OBJECT, MISSING_MESSAGES, MESSAGE_NOT_OBJECT, MISSING_ROLE,
    UNRECOGNIZED_ROLE, UNRECOGNIZED_KEY, MISSING_CONTENT, INVALID_CONTENT, NO_ASSISTANT_MESSAGE,
    INVALID_WEIGHT, INVALID_TOOL_CALL, TOO_MANY_TOKENS, INVALID_PREFERENCE_EXAMPLE,
    FORMAT_NOT_FOR_METHOD, LAST_MESSAGE_NOT_USER, MISSING_GRADER_FIELD,
)
ERROR_CODES: tuple[str, ...] = FILE_ERROR_CODES + LINE_ERROR_CODES

# Warnings never make a file invalid.
BLANK_LINE = "blank_line"
SPECIAL_TOKENS = "special_tokens"
DUPLICATE_EXAMPLE = "duplicate_example"
MISSING_SYSTEM_MESSAGE = "missing_system_message"
MISSING_USER_MESSAGE = "missing_user_message"
IMAGE_TOKENS_NOT_COUNTED = "image_tokens_not_counted"
DEPRECATED_FUNCTIONS = "deprecated_functions"
UNRECOGNIZED_TOP_LEVEL_KEY = "unrecognized_top_level_key"

WARNING_CODES: tuple[str, ...] = (
    BLANK_LINE, SPECIAL_TOKENS, DUPLICATE_EXAMPLE, MISSING_SYSTEM_MESSAGE, MISSING_USER_MESSAGE,
    IMAGE_TOKENS_NOT_COUNTED, DEPRECATED_FUNCTIONS, UNRECOGNIZED_TOP_LEVEL_KEY,
)

# How many occurrences of one code a report lists (all are counted).
MAX_LISTED_PER_CODE = 20


def is_error(code: str) -> bool:
    """True for an error code, False for a warning code."""
    return code in ERROR_CODES
