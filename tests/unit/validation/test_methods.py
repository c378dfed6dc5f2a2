"""The run's method decides each line's format: supervised chat, dpo preference, reinforcement prompts.

Reinforcement lines end with the user's message and carry the fields their grader reads
(``item.*``): every line is checked, with its line number, before anything is uploaded. A file
validated without a method (``python -m local validate FILE``) may be chat or preference.
"""

from __future__ import annotations

import pytest

from shared.validation import ValidationOptions
from tests.unit.validation.helpers import chat, codes_at, jsonl, report_of, simple

pytestmark = pytest.mark.unit

METHOD_CODES = ("format_not_for_method", "last_message_not_user", "missing_grader_field")


def preference(i: int = 0) -> dict:
    return {"input": {"messages": [{"role": "system", "content": "Be kind."},
                                   {"role": "user", "content": f"Question {i}?"}]},
            "preferred_output": [{"role": "assistant", "content": f"Gladly: answer {i}."}],
            "non_preferred_output": [{"role": "assistant", "content": "No."}]}


def prompt(i: int = 0, **item) -> dict:
    """A reinforcement example: a developer instruction, the user's question, the grader's fields."""
    return {"messages": [{"role": "developer", "content": "Answer with one word."},
                         {"role": "user", "content": f"Capital number {i}?"}], **item}


def options(method: str | None, *fields: str) -> ValidationOptions:
    return ValidationOptions(min_examples=1, method=method, item_fields=fields)


def test_a_file_alone_may_be_chat_or_preference() -> None:
    assert report_of(jsonl(simple(1), simple(2)))["ok"]
    assert report_of(jsonl(preference(1), preference(2)))["format"] == "preference"


@pytest.mark.parametrize(("method", "line", "fmt"), [
    ("supervised", preference(), "chat"),
    ("dpo", simple(), "preference"),
    ("reinforcement", preference(), "reinforcement"),
])
def test_a_line_of_another_methods_format_is_an_error_naming_the_method(method, line, fmt) -> None:
    good = {"supervised": simple, "dpo": preference, "reinforcement": prompt}[method]
    report = report_of(jsonl(good(1), line, good(2)), options(method))
    assert codes_at(report) == [(2, "format_not_for_method")]
    message = report["errors"][0]["message"]
    assert f"the run's method is {method}" in message and "change method.type" in message
    assert report["format"] == fmt and report["method"] == method


def test_dpo_accepts_preference_examples_and_counts_both_outputs() -> None:
    report = report_of(jsonl(preference(1), preference(2)), options("dpo"))
    assert report["ok"] and report["format"] == "preference"
    alone = report_of(jsonl(preference(1), preference(2)))
    assert report["tokens"]["total"] == alone["tokens"]["total"]
    same = {**preference(1), "non_preferred_output": preference(1)["preferred_output"]}
    one_output = report_of(jsonl(same), options("dpo"))
    # the rejected answer's tokens are billed as well (the file holds them): "No." is shorter
    assert one_output["tokens"]["total"]["sum"] > report_of(jsonl(preference(1)), options("dpo"))[
        "tokens"]["total"]["sum"]


def test_reinforcement_prompts_end_with_the_user_and_need_no_assistant_answer() -> None:
    report = report_of(jsonl(prompt(1, answer="Paris"), prompt(2, answer="Rome")),
                       options("reinforcement", "item.answer"))
    assert report["ok"], report["errors"]
    assert report["format"] == "reinforcement"
    assert report["tokens"]["assistant"]["sum"] == 0
    assert "missing_system_message" not in report["warning_counts"]  # a developer message is the instruction


def test_a_reinforcement_line_ending_with_the_assistant_names_its_line() -> None:
    answered = chat(("user", "Capital of Italy?"), ("assistant", "Rome."), answer="Rome")
    report = report_of(jsonl(prompt(1, answer="Paris"), prompt(2, answer="Oslo"), answered),
                       options("reinforcement", "item.answer"))
    assert codes_at(report) == [(3, "last_message_not_user")]
    assert "must be the user's" in report["errors"][0]["message"]


def test_every_line_must_have_the_fields_the_grader_reads() -> None:
    lines = [prompt(i, answer="x", meta={"date": "2025"}) for i in range(30)]
    lines[25] = prompt(25, answer="x", meta={})  # far past any "first N examples"
    report = report_of(jsonl(*lines), options("reinforcement", "item.answer", "item.meta.date"))
    assert codes_at(report) == [(26, "missing_grader_field")]
    message = report["errors"][0]["message"]
    assert "{{item.meta.date}}" in message and "answer, meta" in message


def test_developer_messages_are_only_for_reinforcement() -> None:
    line = chat(("developer", "Be brief."), ("user", "Hi?"), ("assistant", "Hello."), system=None)
    assert codes_at(report_of(jsonl(simple(), line), options("supervised"))) == [(2, "unrecognized_role")]


def test_reinforcement_is_billed_per_training_hour() -> None:
    lines = [prompt(i, answer="x") for i in range(50)]
    hyper = {"n_epochs": 2, "compute_multiplier": 2, "reasoning_effort": "high"}
    opts = ValidationOptions(model="o4-mini-2025-04-16", min_examples=1, method="reinforcement", n_epochs=2,
                             item_fields=("item.answer",), method_hyperparameters=hyper,
                             rft_example_epochs_per_hour=100.0)
    billing = report_of(jsonl(*lines), opts)["billing"]
    # 50 examples x 2 epochs x compute 2 x effort 2 / 100 per hour = 4 hours at $100
    assert billing["price_unit"] == "training hour"
    assert billing["estimated_training_hours"] == 4.0
    assert billing["price_usd_per_hour"] == 100.0
    assert billing["estimated_cost_usd"] == 400.0
    assert billing["price_is_estimate"] is True
    assert "FINETUNE_RFT_EXAMPLE_EPOCHS_PER_HOUR" in billing["price_note"]
