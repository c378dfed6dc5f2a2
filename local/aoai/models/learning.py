"""What a job learns from its training file, read once in a worker thread: billed tokens and examples.

`digest_training_file` makes one pass over the file: it counts each example's tokens with the base
model's encoding (tokenizer.py), caps each at the model's per-example limit, picks the epochs as the
service does when the job says `auto`, and keeps the (prompt, answer) pairs the fine-tuned model
will answer from (answers.py). Digests are kept per job in `LearnedStore`, persisted beside the state.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from local.aoai.models.catalog import base_model
from local.aoai.models.tokenizer import Counter

# The default-epochs rule (OpenAI cookbook's data-preparation notebook, as Azure bills it).
TARGET_EPOCHS, MIN_TARGET_EXAMPLES, MAX_TARGET_EXAMPLES, MAX_DEFAULT_EPOCHS = 3, 100, 25_000, 25
MAX_PAIRS = 5_000  # learned examples kept per job (bounded memory for very large files)
MAX_TEXT = 2_000  # characters kept per prompt turn and answer


def auto_epochs(examples: int) -> int:
    """Epochs the service picks for `n_epochs: auto`: 3, more for tiny files, fewer for huge ones."""
    if examples <= 0:
        return TARGET_EPOCHS
    if examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES:
        return min(MAX_DEFAULT_EPOCHS, MIN_TARGET_EXAMPLES // examples)
    if examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
        return max(1, MAX_TARGET_EXAMPLES // examples)
    return TARGET_EPOCHS


@dataclass
class Pair:
    """One learned example: the user turns of its prompt, the system message, the answer."""

    prompt: str
    answer: str
    system: str = ""


@dataclass
class Digest:
    examples: int
    billable_tokens: int
    pairs: list[Pair] = field(default_factory=list)
    error: str | None = None

    def trained_tokens(self, n_epochs: int) -> int:
        return self.billable_tokens * (n_epochs if n_epochs > 0 else auto_epochs(self.examples))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Digest:
        return cls(data["examples"], data["billable_tokens"], [Pair(**p) for p in data.get("pairs", [])],
                   data.get("error"))


def _text(content: Any) -> str:
    if isinstance(content, list):
        content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return str(content or "")[:MAX_TEXT]


def pair_of(example: dict[str, Any], answer_field: str | None = None) -> Pair | None:
    """The (prompt, answer) of a chat example (its last assistant message), a preference example, or
    a reinforcement prompt (its user turns, answered by the item field ``answer_field``)."""
    if answer_field is not None:
        messages = [m for m in example.get("messages") or [] if isinstance(m, dict)]
        before, answer = messages, example.get(answer_field)
        answer = answer if isinstance(answer, str) else None
    elif "messages" in example:
        messages = [m for m in example["messages"] if isinstance(m, dict)]
        last = max((i for i, m in enumerate(messages) if m.get("role") == "assistant"), default=None)
        if last is None:
            return None
        before, answer = messages[:last], messages[last].get("content")
    else:
        source = example.get("input") if isinstance(example.get("input"), dict) else {}
        before = [m for m in source.get("messages") or [] if isinstance(m, dict)]
        preferred = [m for m in example.get("preferred_output") or [] if isinstance(m, dict)]
        answer = next((m.get("content") for m in preferred if m.get("role") == "assistant"), None)
    if not isinstance(answer, str | list) or not _text(answer).strip():
        return None  # tool-call answers teach no text
    users = " ".join(_text(m.get("content")) for m in before if m.get("role") == "user")
    system = next((_text(m.get("content")) for m in before if m.get("role") in ("system", "developer")), "")
    return Pair(users[:MAX_TEXT], _text(answer), system)


FORMATS = {"supervised": "chat examples ending with the assistant's answer",
           "dpo": "preference examples (input, preferred_output, non_preferred_output)",
           "reinforcement": "chat prompts ending with the user's message"}


def format_problem(example: dict[str, Any], method: str) -> str | None:
    """Why an example is not of the format the job's method trains on (None when it is)."""
    messages = example.get("messages")
    if method == "dpo":
        ok = messages is None and "preferred_output" in example
    elif not isinstance(messages, list) or not messages or not isinstance(messages[-1], dict):
        ok = False
    elif method == "reinforcement":
        ok = messages[-1].get("role") == "user"
    else:
        ok = any(isinstance(m, dict) and m.get("role") == "assistant" for m in messages)
    return None if ok else f"the job's method is {method}, which trains on {FORMATS[method]}"


def reference_field(method: dict[str, Any] | None) -> str | None:
    """The item field an RFT grader compares answers with ({{item.X}} as its whole reference), or None."""
    grader = ((method or {}).get("reinforcement") or {}).get("grader") or {}
    candidates = [grader, *(grader.get("graders") or {}).values()] if isinstance(grader, dict) else []
    for sub in candidates:
        match = re.fullmatch(r"\{\{\s*item\.([A-Za-z0-9_]+)\s*\}\}", str((sub or {}).get("reference", "")))
        if match:
            return match.group(1)
    return None


def digest_training_file(path: Path, model: str, method: dict[str, Any] | None = None) -> Digest:
    """Read a training file: examples, billable tokens with `model`'s encoding, pairs learned.

    The examples must be of the format the job's ``method`` trains on, else the digest carries
    the error the job fails with. A reinforcement job learns the answer its grader rewards: the
    item field its reference names.
    """
    info = base_model(model)
    if info is None:
        return Digest(0, 0, error=f"unknown base model {model!r}")
    kind = (method or {}).get("type") or "supervised"
    answer_field = reference_field(method) if kind == "reinforcement" else None
    counter = Counter(info.encoding)
    examples = billable = 0
    pairs: list[Pair] = []
    try:
        with path.open("rb") as stream:
            for number, raw in enumerate(stream, start=1):
                line = raw.removeprefix(b"\xef\xbb\xbf").strip()
                if not line:
                    continue
                example = json.loads(line)
                problem = format_problem(example, kind)
                if problem:
                    return Digest(0, 0, error=f"The training file does not match the method: line {number} "
                                              f"is not one of the {problem}.")
                examples += 1
                billable += min(info.token_limit, counter.example(example))
                pair = pair_of(example, answer_field)
                if pair is not None and len(pairs) < MAX_PAIRS:
                    pairs.append(pair)
    except (OSError, ValueError) as exc:
        return Digest(0, 0, error=f"The training file could not be read: {exc}")
    return Digest(examples, billable, pairs)


class LearnedStore:
    """Digests by job id, in memory and, with a state dir, as <state dir>/learned/<job id>.json."""

    def __init__(self, state_dir: Path | None) -> None:
        self.root = None if state_dir is None else state_dir / "learned"
        if self.root is not None:
            self.root.mkdir(parents=True, exist_ok=True)
        self._digests: dict[str, Digest] = {}

    def put(self, job_id: str, digest: Digest) -> None:
        self._digests[job_id] = digest
        if self.root is not None:  # written once per job, apart from state.json (rewritten often)
            (self.root / f"{job_id}.json").write_text(json.dumps(digest.to_dict()), encoding="utf-8")

    def get(self, job_id: str) -> Digest | None:
        if job_id not in self._digests and self.root is not None:
            path = self.root / f"{job_id}.json"
            if path.exists():
                self._digests[job_id] = Digest.from_dict(json.loads(path.read_text(encoding="utf-8")))
        return self._digests.get(job_id)

    def clear(self) -> None:
        self._digests.clear()
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root.mkdir(parents=True, exist_ok=True)
