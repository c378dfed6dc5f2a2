"""The rules one example (one parsed JSONL line) must follow, checked while its tokens are counted.

Sources: Azure OpenAI fine-tuning docs (see ../shared/reference/azure-openai-contract.md §3).
A broken rule raises ``Problem`` with its code and a sentence saying what to fix; only
the first broken rule of a line is reported. Warnings are appended to ``warnings``.
Checking and counting happen in one walk over the messages: this is the hot path.
"""

from __future__ import annotations

import json
from typing import Any

from shared.graders.templates import has_path
from shared.validation import codes
from shared.validation.tokens import TOKENS_PER_EXAMPLE, TOKENS_PER_MESSAGE, TOKENS_PER_NAME, TokenCounter

CHAT = "chat"
PREFERENCE = "preference"
REINFORCEMENT = "reinforcement"   # a chat prompt for reinforcement fine-tuning (its last message the user's)
# The format each training method takes (its name in the run settings' method.type).
METHOD_FORMATS = {"supervised": CHAT, "dpo": PREFERENCE, "reinforcement": REINFORCEMENT}
FORMAT_NAMES = {CHAT: 'a chat example {"messages": [...]} ending with the assistant\'s answer',
                PREFERENCE: 'a preference example {"input", "preferred_output", "non_preferred_output"}',
                REINFORCEMENT: 'a chat prompt {"messages": [...]} ending with the user\'s message'}

ROLES = ("system", "user", "assistant", "tool", "function")
MESSAGE_KEYS = ("role", "content", "name", "weight", "tool_calls", "tool_call_id", "function_call")
CHAT_TOP_KEYS = frozenset({"messages", "tools", "functions", "parallel_tool_calls"})
PREFERENCE_TOP_KEYS = frozenset({"input", "preferred_output", "non_preferred_output"})
PREFERENCE_INPUT_KEYS = frozenset({"messages", "tools", "functions", "parallel_tool_calls"})
OUTPUT_ROLES = frozenset({"assistant", "tool"})
_ROLE_LIST = ", ".join(ROLES)
_KEY_LIST = ", ".join(MESSAGE_KEYS)


class Problem(Exception):
    """A broken rule: a stable code and a message that says what to fix."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ExampleChecker:
    """Checks examples and counts their tokens; one per encoding and method per process.

    ``method`` (supervised, dpo, reinforcement; None: chat or preference) decides the format of a line;
    ``item_fields`` are the ``item.*`` references of a reinforcement grader, which every line
    must be able to fill (its fields besides ``messages``).
    """

    def __init__(self, counter: TokenCounter, method: str | None = None,
                 item_fields: tuple[str, ...] = ()) -> None:
        self.counter = counter
        self.method = method
        roles = (*ROLES, "developer") if method == REINFORCEMENT else ROLES  # RFT prompts may use it
        self.role_tokens = {role: counter.count(role) for role in roles}
        self.item_refs = _item_references(item_fields)
        self.warnings: list[tuple[str, str]] = []

    # ---- Examples ----
    def check(self, obj: Any) -> tuple[str, int, int, int]:
        """(format, total tokens, assistant tokens, messages) of a valid example; Problem otherwise."""
        self.warnings.clear()
        self.counter.special_seen = None
        if type(obj) is not dict:
            raise Problem(codes.NOT_AN_OBJECT, 'The line must be a JSON object such as {"messages": [...]}.')
        preference = "messages" not in obj and (
            "input" in obj or "preferred_output" in obj or "non_preferred_output" in obj)
        wanted = METHOD_FORMATS.get(self.method or "")  # None: any format (a file checked alone)
        if "messages" in obj and wanted == REINFORCEMENT:
            result = self._check_reinforcement(obj)
        elif wanted and (preference != (wanted == PREFERENCE)):
            given = PREFERENCE if preference else CHAT
            raise Problem(codes.FORMAT_NOT_FOR_METHOD, f"The line is {FORMAT_NAMES[given].split(' {')[0]}, "
                          f"but the run's method is {self.method}, which trains on {FORMAT_NAMES[wanted]}. "
                          "Convert the file or change method.type.")
        elif "messages" in obj:
            result = self._check_chat(obj)
        elif preference:
            result = self._check_preference(obj)
        else:
            raise Problem(codes.MISSING_MESSAGES, 'The object has no "messages" list; put the conversation '
                          'in "messages" (or use "input"/"preferred_output"/"non_preferred_output" for DPO).')
        if self.counter.special_seen is not None:
            self.warn(codes.SPECIAL_TOKENS, f"The text contains the special-token string "
                      f"{self.counter.special_seen!r}; it is counted as ordinary text. "
                      "Remove it unless intended.")
        return result

    def warn(self, code: str, message: str) -> None:
        self.warnings.append((code, message))

    def _check_chat(self, obj: dict) -> tuple[str, int, int, int]:
        messages = obj["messages"]
        if type(messages) is not list or not messages:
            raise Problem(codes.MISSING_MESSAGES, '"messages" must be a non-empty list of message objects.')
        if len(obj) > 1:
            self._check_top_level(obj, CHAT_TOP_KEYS, "")
        total, assistant, roles = self._messages(messages, "message")
        if "assistant" not in roles:
            raise Problem(codes.NO_ASSISTANT_MESSAGE, "The example has no assistant message; add the "
                          'reply the model should learn as a message with role "assistant".')
        self._note_missing_roles(roles)
        return CHAT, TOKENS_PER_EXAMPLE + total, assistant, len(messages)

    def _check_reinforcement(self, obj: dict) -> tuple[str, int, int, int]:
        """A reinforcement prompt: messages ending with the user's; the other fields are the grader's item."""
        messages = obj["messages"]
        if type(messages) is not list or not messages:
            raise Problem(codes.MISSING_MESSAGES, '"messages" must be a non-empty list of message objects.')
        if "tools" in obj:
            _check_tools(obj["tools"], "tools")
        total, _assistant, roles = self._messages(messages, "message")
        last = messages[-1].get("role")
        if last != "user":
            raise Problem(codes.LAST_MESSAGE_NOT_USER, f"The last message is the {last}'s; in reinforcement "
                          "fine-tuning it must be the user's (the model answers it and the grader scores "
                          "the answer). Remove the final answer, or put the reference in a field the grader "
                          "reads.")
        item = {key: value for key, value in obj.items() if key != "messages"}
        for text, path in self.item_refs:
            if not has_path(item, path):
                fields = ", ".join(sorted(item)[:12]) or "none"
                raise Problem(codes.MISSING_GRADER_FIELD, f"The grader reads {{{{{text}}}}}, but this "
                              f"example has no such field (its fields besides messages: {fields}). Add it to "
                              "every example or change the grader.")
        if "user" not in roles:
            self.warn(codes.MISSING_USER_MESSAGE, "The example has no user message; check that the "
                      "conversation is complete.")
        return REINFORCEMENT, TOKENS_PER_EXAMPLE + total, 0, len(messages)

    def _check_preference(self, obj: dict) -> tuple[str, int, int, int]:
        self._check_top_level(obj, PREFERENCE_TOP_KEYS, "")
        prompt = obj.get("input")
        if type(prompt) is not dict or type(prompt.get("messages")) is not list or not prompt["messages"]:
            raise Problem(codes.INVALID_PREFERENCE_EXAMPLE, 'A preference (DPO) example needs "input": '
                          '{"messages": [...]} with at least one message.')
        self._check_top_level(prompt, PREFERENCE_INPUT_KEYS, "input.")
        total, assistant, roles = self._messages(prompt["messages"], "input message")
        n_messages = len(prompt["messages"])
        for key in ("preferred_output", "non_preferred_output"):
            output = obj.get(key)
            if type(output) is not list or not output:
                raise Problem(codes.INVALID_PREFERENCE_EXAMPLE, f'A preference (DPO) example needs "{key}": '
                              "a non-empty list of assistant (and tool) messages.")
            out_total, out_assistant, out_roles = self._messages(output, f"{key} message")
            if not out_roles <= OUTPUT_ROLES or "assistant" not in out_roles:
                raise Problem(codes.INVALID_PREFERENCE_EXAMPLE, f'"{key}" may hold only assistant and tool '
                              "messages and needs at least one assistant message.")
            total += out_total
            assistant += out_assistant
            n_messages += len(output)
        self._note_missing_roles(roles)
        return PREFERENCE, TOKENS_PER_EXAMPLE + total, assistant, n_messages

    def _note_missing_roles(self, roles: set[str]) -> None:
        if "system" not in roles:
            self.warn(codes.MISSING_SYSTEM_MESSAGE, "The example has no system message; add one if the model "
                      "should learn a fixed behaviour (use the same system message when you call the model).")
        if "user" not in roles:
            self.warn(codes.MISSING_USER_MESSAGE, "The example has no user message; check that the "
                      "conversation is complete.")

    # ---- Messages ----
    def _messages(self, messages: list, label: str) -> tuple[int, int, set[str]]:
        """Check a message list; return (tokens, assistant content tokens, roles seen)."""
        total = assistant = 0
        roles: set[str] = set()
        for index, message in enumerate(messages, 1):
            if type(message) is not dict:
                raise Problem(codes.MESSAGE_NOT_OBJECT, f"{label} {index} must be an object with a role "
                              "and content.")
            role = message.get("role")
            if role is None:
                raise Problem(codes.MISSING_ROLE, f'{label} {index} has no "role"; use one of {_ROLE_LIST}.')
            if type(role) is not str or role not in self.role_tokens:
                raise Problem(codes.UNRECOGNIZED_ROLE, f"{label} {index} has role {_short(role)}; use one of "
                              f"{_ROLE_LIST}.")
            roles.add(role)
            tokens, content_tokens = self._message(message, role, f"{label} {index}")
            total += TOKENS_PER_MESSAGE + tokens
            if role == "assistant":
                assistant += content_tokens
        return total, assistant, roles

    def _message(self, message: dict, role: str, where: str) -> tuple[int, int]:
        """Tokens of one message (its values) and of its content; Problem when a rule is broken."""
        tokens = self.role_tokens[role]
        content_tokens = 0
        has_content = calls = False
        for key, value in message.items():
            if key == "role":
                continue
            if key == "content":
                if value is None:
                    continue
                has_content = True
                if type(value) is str:
                    content_tokens = self.counter.count_cached(value) if role == "system" else \
                        self.counter.count(value)
                else:
                    content_tokens = self._content_parts(value, role, where)
            elif key == "name":
                if type(value) is not str:
                    raise Problem(codes.INVALID_CONTENT, f'{where}: "name" must be a string.')
                tokens += self.counter.count_cached(value) + TOKENS_PER_NAME
            elif key == "weight":
                _check_weight(value, role, where)
            elif key == "tool_calls" or key == "function_call":
                tokens += self._calls(key, value, role, where)
                calls = True
            elif key == "tool_call_id":
                if role != "tool" or type(value) is not str:
                    raise Problem(codes.INVALID_TOOL_CALL, f'{where}: "tool_call_id" belongs on tool '
                                  "messages and must be the string id of the assistant's tool call.")
                tokens += self.counter.count(value)
            else:
                raise Problem(codes.UNRECOGNIZED_KEY, f"{where} has the key {_short(key)}; allowed keys are "
                              f"{_KEY_LIST}. Remove or rename it.")
        if not has_content and not (calls and role == "assistant"):
            raise Problem(codes.MISSING_CONTENT, f'{where} has no "content"; give it text (an assistant '
                          'message may have "tool_calls" instead).')
        self._check_role_keys(message, role, where)
        return tokens + content_tokens, content_tokens

    def _check_role_keys(self, message: dict, role: str, where: str) -> None:
        if role == "tool" and "tool_call_id" not in message:
            raise Problem(codes.INVALID_TOOL_CALL, f'{where} is a tool message without "tool_call_id"; '
                          "give the id of the assistant's tool call it answers.")
        if role == "function":
            self.warn(codes.DEPRECATED_FUNCTIONS, f'{where} uses the deprecated role "function"; prefer '
                      "tool messages with tool_call_id.")
            if type(message.get("name")) is not str:
                raise Problem(codes.INVALID_TOOL_CALL, f'{where} is a function message without "name"; give '
                              "the name of the function whose result it holds.")

    def _content_parts(self, parts: Any, role: str, where: str) -> int:
        if type(parts) is not list or not parts:
            raise Problem(codes.INVALID_CONTENT, f'{where}: "content" must be a string or a non-empty '
                          'list of parts {"type": "text", "text": ...} / '
                          '{"type": "image_url", "image_url": {"url": ...}}.')
        tokens = 0
        for number, part in enumerate(parts, 1):
            kind = part.get("type") if type(part) is dict else None
            if kind == "text" and type(part.get("text")) is str:
                tokens += self.counter.count(part["text"])
            elif kind == "image_url" and type(part.get("image_url")) is dict \
                    and type(part["image_url"].get("url")) is str:
                if role != "user":
                    raise Problem(codes.INVALID_CONTENT, f"{where}: images are allowed only in user "
                                  f"messages; move part {number} to a user message.")
                self.warn(codes.IMAGE_TOKENS_NOT_COUNTED, f"{where}: image part {number} is not counted in "
                          "the token figures; the service bills image tokens too.")
            else:
                raise Problem(codes.INVALID_CONTENT, f"{where}: content part {number} must be "
                              '{"type": "text", "text": "..."} or '
                              '{"type": "image_url", "image_url": {"url": "..."}}.')
        return tokens

    def _calls(self, key: str, value: Any, role: str, where: str) -> int:
        if role != "assistant":
            raise Problem(codes.INVALID_TOOL_CALL, f'{where}: "{key}" is allowed only on assistant messages.')
        if key == "function_call":
            self.warn(codes.DEPRECATED_FUNCTIONS, f'{where} uses the deprecated "function_call"; prefer '
                      '"tool_calls".')
            _check_function(value, f'{where}: "function_call"')
        else:
            if type(value) is not list or not value:
                raise Problem(codes.INVALID_TOOL_CALL, f'{where}: "tool_calls" must be a non-empty list of '
                              '{"id", "type": "function", "function": {"name", "arguments"}}.')
            for number, call in enumerate(value, 1):
                label = f"{where}: tool call {number}"
                if type(call) is not dict or call.get("type", "function") != "function" \
                        or type(call.get("id", "")) is not str:
                    raise Problem(codes.INVALID_TOOL_CALL, f'{label} must be an object with a string "id", '
                                  '"type": "function" and "function".')
                _check_function(call.get("function"), f"{label}: function")
        return self.counter.count_json(value)

    def _check_top_level(self, obj: dict, allowed: frozenset[str], prefix: str) -> None:
        for key in obj:
            if key not in allowed:
                self.warn(codes.UNRECOGNIZED_TOP_LEVEL_KEY, f"The key {prefix}{_short(key)} is not part of "
                          "the format and is ignored by the counts; the service may reject it. Remove it.")
        if "tools" in obj:
            _check_tools(obj["tools"], f"{prefix}tools")
        if "functions" in obj:
            self.warn(codes.DEPRECATED_FUNCTIONS, f'"{prefix}functions" is deprecated; prefer "tools".')
            _check_tools(obj["functions"], f"{prefix}functions", legacy=True)
        if "parallel_tool_calls" in obj and type(obj["parallel_tool_calls"]) is not bool:
            raise Problem(codes.INVALID_TOOL_CALL, f'"{prefix}parallel_tool_calls" must be true or false.')


def _item_references(item_fields: tuple[str, ...]) -> list[tuple[str, tuple[str | int, ...]]]:
    """(text, path under item) of each ``item.*`` reference text, e.g. "item.answer" -> ("answer",)."""
    from shared.graders.templates import parse_reference

    found = []
    for text in item_fields:
        reference = parse_reference(text)
        found.append((reference.text, reference.path))
    return found


def _short(value: Any, limit: int = 40) -> str:
    """repr of a value from the dataset, cut short: reports quote the data only briefly."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _check_weight(value: Any, role: str, where: str) -> None:
    if role != "assistant":
        raise Problem(codes.INVALID_WEIGHT, f'{where}: "weight" is allowed only on assistant messages; '
                      "remove it.")
    if type(value) not in (int, float) or value not in (0, 1):
        raise Problem(codes.INVALID_WEIGHT, f'{where}: "weight" must be 0 or 1, got {_short(value)}.')


def _check_function(function: Any, label: str) -> None:
    if type(function) is not dict or type(function.get("name")) is not str:
        raise Problem(codes.INVALID_TOOL_CALL, f'{label} must be an object with a string "name" and '
                      '"arguments".')
    arguments = function.get("arguments")
    if type(arguments) is not str:
        raise Problem(codes.INVALID_TOOL_CALL, f'{label}: "arguments" must be a string holding JSON '
                      '(for example "{\\"city\\": \\"Paris\\"}"), not an object.')
    try:
        json.loads(arguments)
    except ValueError as exc:
        raise Problem(codes.INVALID_TOOL_CALL, f'{label}: "arguments" is not valid JSON ({exc}).') from exc


def _check_tools(tools: Any, label: str, legacy: bool = False) -> None:
    if type(tools) is not list:
        raise Problem(codes.INVALID_TOOL_CALL, f'"{label}" must be a list of tool definitions.')
    for number, tool in enumerate(tools, 1):
        definition = tool if legacy else (tool.get("function") if type(tool) is dict else None)
        if type(definition) is not dict or type(definition.get("name")) is not str or \
                (not legacy and tool.get("type", "function") != "function"):
            shape = '{"name": ..., "parameters": ...}' if legacy else \
                '{"type": "function", "function": {"name": ..., "parameters": ...}}'
            raise Problem(codes.INVALID_TOOL_CALL, f'"{label}" item {number} must be {shape}.')
