"""The method in the run settings, the model catalog, the job request, and the checkpoint choice."""

from __future__ import annotations

import pytest

from shared import checkpoint_choice, errors
from shared.aoai_ops import job_request, uses_v1
from shared.errors import RequestError
from shared.model_catalog import CATALOG, method_problem, models_for
from shared.preflight_rules import folder_problem
from shared.rft_estimate import estimate_hours
from shared.run_settings import parse_run_settings
from shared.settings import SettingsError, load_settings

pytestmark = pytest.mark.unit

GRADER = {"type": "string_check", "name": "exact", "input": "{{sample.output_text}}",
          "reference": "{{item.answer}}", "operation": "eq"}


def parse(raw: dict, **env: str):
    return parse_run_settings(raw, load_settings(env))


def refused(raw: dict) -> RequestError:
    with pytest.raises(RequestError) as caught:
        parse(raw)
    return caught.value


def test_without_a_method_a_run_is_supervised_at_the_default_tier():
    settings = parse({"hyperparameters": {"n_epochs": 2}})
    assert settings.method == {"type": "supervised", "explicit": False}
    assert settings.hyperparameters == {"n_epochs": 2} and settings.training_type == "Standard"
    assert parse({}, FINETUNE_DEFAULT_TRAINING_TYPE="globalstandard").training_type == "GlobalStandard"
    with pytest.raises(SettingsError):
        load_settings({"FINETUNE_DEFAULT_TRAINING_TYPE": "premium"})


def test_the_services_method_shapes_are_taken_with_their_hyperparameters():
    dpo = parse({"model": "gpt-4o", "training_type": "developertier",
                 "method": {"type": "dpo", "dpo": {"hyperparameters": {"beta": 2, "l2_multiplier": 0}}}})
    assert dpo.method["type"] == "dpo" and dpo.hyperparameters == {"beta": 2, "l2_multiplier": 0}
    assert dpo.training_type == "Developer"
    rft = parse({"model": "o4-mini", "method": {"type": "reinforcement", "reinforcement": {
        "grader": GRADER, "hyperparameters": {"compute_multiplier": 0.5, "eval_interval": "auto",
                                              "eval_samples": 3, "reasoning_effort": "high"},
        "response_format": {"type": "json_schema", "json_schema": {"name": "a", "schema": {}}}}}})
    assert rft.method["grader"]["name"] == "exact" and rft.method["item_fields"] == ["item.answer"]
    assert rft.hyperparameters["eval_samples"] == 3 and rft.method["response_format"]["type"] == "json_schema"
    old = parse({"hyperparameters": {"n_epochs": 3}, "method": {"type": "supervised"}})
    assert old.hyperparameters == {"n_epochs": 3}  # the top-level form feeds the method's hyperparameters


@pytest.mark.parametrize(("raw", "code", "field"), [
    ({"method": {"type": "dpo"}}, errors.METHOD_NOT_SUPPORTED, "method.type"),      # gpt-4o-mini: SFT only
    ({"model": "o4-mini", "training_type": "GlobalStandard",
      "method": {"type": "reinforcement", "reinforcement": {"grader": GRADER}}},
     errors.METHOD_NOT_SUPPORTED, "training_type"),
    ({"model": "o4-mini-2025-04-16.ft-0123456789abcdef0123456789abcdef",
      "method": {"type": "reinforcement", "reinforcement": {"grader": GRADER}}},
     errors.METHOD_NOT_SUPPORTED, "model"),                                         # no continued RFT
    ({"model": "gpt-4.1", "method": {"type": "dpo", "dpo": {"hyperparameters": {"beta": 0}}}},
     errors.INVALID_RUN_SETTINGS, "method.dpo.hyperparameters.beta"),
    ({"model": "gpt-4.1", "method": {"type": "dpo", "dpo": {"hyperparameters": {"beta": 2.01}}}},
     errors.INVALID_RUN_SETTINGS, "method.dpo.hyperparameters.beta"),
    ({"model": "gpt-4.1", "method": {"type": "dpo", "dpo": {"hyperparameters": {"l2_multiplier": -1}}}},
     errors.INVALID_RUN_SETTINGS, "method.dpo.hyperparameters.l2_multiplier"),
    ({"model": "gpt-4.1", "method": {"type": "dpo", "dpo": {"hyperparameters": {"eval_samples": 2}}}},
     errors.INVALID_RUN_SETTINGS, "method.dpo.hyperparameters.eval_samples"),
    ({"model": "gpt-4.1", "method": {"type": "dpo", "supervised": {}}}, errors.INVALID_RUN_SETTINGS,
     "method.supervised"),
    ({"method": {"type": "sft"}}, errors.INVALID_RUN_SETTINGS, "method.type"),
    ({"hyperparameters": {"n_epochs": 1}, "method": {"type": "supervised",
                                                      "supervised": {"hyperparameters": {"n_epochs": 2}}}},
     errors.INVALID_RUN_SETTINGS, "hyperparameters"),
    ({"model": "o4-mini", "method": {"type": "reinforcement"}}, errors.INVALID_GRADER,
     "method.reinforcement.grader"),
    ({"model": "o4-mini", "method": {"type": "reinforcement", "reinforcement": {
        "grader": {**GRADER, "operation": "neq"}}}}, errors.INVALID_GRADER,
     "method.reinforcement.grader.operation"),
    ({"model": "o4-mini", "method": {"type": "reinforcement", "reinforcement": {
        "grader": {"type": "python", "name": "p", "source": "def grade(s, i)\n  return 1"}}}},
     errors.INVALID_GRADER, "method.reinforcement.grader.source"),
    ({"model": "o4-mini", "method": {"type": "reinforcement", "reinforcement": {
        "grader": GRADER, "hyperparameters": {"compute_multiplier": 10.5}}}}, errors.INVALID_RUN_SETTINGS,
     "method.reinforcement.hyperparameters.compute_multiplier"),
    ({"model": "o4-mini", "method": {"type": "reinforcement", "reinforcement": {
        "grader": GRADER, "hyperparameters": {"reasoning_effort": "max"}}}}, errors.INVALID_RUN_SETTINGS,
     "method.reinforcement.hyperparameters.reasoning_effort"),
    ({"training_type": "Premium"}, errors.INVALID_RUN_SETTINGS, "training_type"),
    ({"deployment": {"checkpoint": "latest"}}, errors.INVALID_RUN_SETTINGS, "deployment.checkpoint"),
])
def test_bad_methods_are_refused_with_a_code_and_the_field(raw, code, field):
    error = refused(raw)
    assert (error.code, error.field) == (code, field)
    assert error.message.endswith(".") and len(error.message) > 30


def test_a_method_the_model_does_not_take_names_the_models_that_do():
    message = refused({"method": {"type": "dpo"}}).message
    assert "gpt-4o-2024-08-06, gpt-4.1-2025-04-14, gpt-4.1-mini-2025-04-14" in message


def test_every_catalog_row_names_its_sources_and_dpo_continues_an_sft_model():
    for row in CATALOG.values():
        assert row.sources and all(source.startswith("https://") for source in row.sources)
    assert models_for("reinforcement") == ["o4-mini-2025-04-16"]
    parent = "gpt-4.1-2025-04-14.ft-0123456789abcdef0123456789abcdef"
    assert method_problem(parent, "dpo", "Standard") is None


def test_the_job_request_always_names_the_method_and_the_training_type():
    request = {"instance_id": "ft-x-1", "model": "gpt-4.1", "training_file_id": "file-t",
               "hyperparameters": {"beta": 0.1}, "training_type": "GlobalStandard",
               "method": {"type": "dpo", "explicit": True}}
    kwargs = job_request(request)
    assert kwargs["method"] == {"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.1}}}
    assert kwargs["extra_body"] == {"trainingType": "GlobalStandard"} and "hyperparameters" not in kwargs
    plain = job_request({"instance_id": "i", "model": "m", "training_file_id": "f"})
    assert plain["method"] == {"type": "supervised"} and plain["extra_body"] == {"trainingType": "Standard"}
    rft = {**request, "method": {"type": "reinforcement", "grader": GRADER}, "hyperparameters": {}}
    assert job_request(rft)["method"] == {"type": "reinforcement", "reinforcement": {"grader": GRADER}}
    assert uses_v1(rft) and not uses_v1(request)


def test_folder_rules_need_a_validation_file_for_rft_and_for_the_best_checkpoint():
    rft = parse({"model": "o4-mini",
                 "method": {"type": "reinforcement", "reinforcement": {"grader": GRADER}}})
    assert folder_problem(rft, False)[0] == errors.VALIDATION_FILE_REQUIRED
    assert folder_problem(rft, True) is None
    best = parse({"deployment": {"checkpoint": "best"}})
    assert folder_problem(best, False)[0] == errors.INVALID_RUN_SETTINGS
    assert folder_problem(best, True) is None


def test_rft_hours_follow_the_stated_model():
    assert estimate_hours(100, 3, {}, 100.0) == 3.0
    assert estimate_hours(100, 3, {"compute_multiplier": 2, "reasoning_effort": "low"}, 100.0) == 3.0
    assert estimate_hours(100, 3, {"compute_multiplier": "auto", "reasoning_effort": "high"},
                          100.0) == 6.0
    assert estimate_hours(1, 1, {}, 1000.0) == 0.01  # at least the bill's smallest unit


KEPT = [{"id": "c1", "model": "m:ckpt-step-10", "step": 10, "metrics": {"full_valid_loss": 0.30,
                                                                          "valid_reward_mean": 0.5}},
        {"id": "c2", "model": "m:ckpt-step-20", "step": 20, "metrics": {"full_valid_loss": 0.30,
                                                                          "valid_reward_mean": 0.7}},
        {"id": "c3", "model": "m", "step": 30, "metrics": {"full_valid_loss": 0.33,
                                                             "valid_reward_mean": 0.6}}]


def test_the_best_checkpoint_is_the_lowest_loss_a_tie_going_to_the_later_one():
    chosen = checkpoint_choice.choose(KEPT, "m", "supervised")
    assert (chosen["choice"], chosen["model"], chosen["step"]) == ("best", "m:ckpt-step-20", 20)
    assert "step 10 0.3000, step 20 0.3000, step 30 0.3300" in chosen["reason"]


def test_a_reinforcement_job_picks_the_highest_validation_reward():
    chosen = checkpoint_choice.choose(KEPT, "m", "reinforcement")
    assert chosen["model"] == "m:ckpt-step-20" and chosen["metric"] == "valid_reward_mean"


def test_without_the_metric_on_every_checkpoint_the_final_model_is_deployed_and_said_so():
    partial = [dict(KEPT[0]), {**KEPT[2], "metrics": {}}]
    chosen = checkpoint_choice.choose(partial, "m", "dpo")
    assert (chosen["choice"], chosen["model"]) == ("final", "m")
    assert "not every kept checkpoint" in chosen["reason"] and "step 30 none" in chosen["reason"]
    assert checkpoint_choice.choose([], "m", "dpo")["model"] == "m"
