"""Run settings (finetune.json / the HTTP body's settings): defaults, and every rejection."""

from __future__ import annotations

import pytest

from shared.errors import INVALID_RUN_SETTINGS, RequestError
from shared.run_settings import DEFAULT_SMOKE_MESSAGES, RunSettings, parse_run_settings
from shared.settings import load_settings

pytestmark = pytest.mark.unit

APP = load_settings({"FINETUNE_DEFAULT_MODEL": "gpt-4.1-mini-2025-04-14",
                     "FINETUNE_DEFAULT_SKU": "GlobalStandard", "FINETUNE_DEFAULT_CAPACITY": "5",
                     "FINETUNE_MAX_COST_USD": "25",
                     "APPROVAL_TIMEOUT_HOURS": "12"})


def test_no_settings_means_the_app_defaults_and_the_exercise_conversation():
    settings = parse_run_settings(None, APP)
    assert settings.model == "gpt-4.1-mini-2025-04-14"
    assert (settings.deployment.sku, settings.deployment.capacity) == ("GlobalStandard", 5)
    assert settings.deployment.enabled and not settings.deployment.require_approval
    assert settings.deployment.approval_timeout_hours == 12
    assert settings.max_cost_usd == 25 and settings.cleanup is False
    assert settings.hyperparameters == {} and settings.seed is None and settings.suffix is None
    assert settings.smoke_messages == [dict(m) for m in DEFAULT_SMOKE_MESSAGES]
    last = {"role": "user", "content": "Do other Azure AI services support this too?"}
    assert settings.smoke_messages[-1] == last


def test_every_setting_can_be_given():
    raw = {"model": "gpt-4o-2024-08-06", "suffix": "faq-bot_1", "seed": 42,
           "hyperparameters": {"n_epochs": 3, "batch_size": "auto", "learning_rate_multiplier": 0.5},
           "training_type": "developerTier",
           "deployment": {"enabled": True, "name": "faq-v1", "sku": "Developer", "capacity": 50,
                          "require_approval": True, "approval_timeout_hours": 48},
           "smoke_test": {"messages": [{"role": "user", "content": "Hi"}]},
           "max_cost_usd": None, "cleanup": True}
    settings = parse_run_settings(raw, APP)
    assert settings.hyperparameters == raw["hyperparameters"] and settings.n_epochs == 3
    assert settings.deployment.name == "faq-v1" and settings.deployment.capacity == 50
    assert settings.max_cost_usd is None and settings.cleanup
    assert RunSettings.from_dict(settings.to_dict()) == settings


@pytest.mark.parametrize(("raw", "field"), [
    ([], "settings"),
    ({"epochs": 3}, "epochs"),
    ({"model": ""}, "model"),
    ({"model": "gpt 4o"}, "model"),
    ({"suffix": "has space"}, "suffix"),
    ({"suffix": "x" * 41}, "suffix"),
    ({"seed": -1}, "seed"),
    ({"seed": 2**31}, "seed"),
    ({"seed": 1.5}, "seed"),
    ({"seed": True}, "seed"),
    ({"hyperparameters": []}, "hyperparameters"),
    ({"hyperparameters": {"epochs": 2}}, "hyperparameters.epochs"),
    ({"hyperparameters": {"n_epochs": 0}}, "hyperparameters.n_epochs"),
    ({"hyperparameters": {"n_epochs": 51}}, "hyperparameters.n_epochs"),
    ({"hyperparameters": {"n_epochs": "3"}}, "hyperparameters.n_epochs"),
    ({"hyperparameters": {"batch_size": 0}}, "hyperparameters.batch_size"),
    ({"hyperparameters": {"learning_rate_multiplier": 0}}, "hyperparameters.learning_rate_multiplier"),
    ({"hyperparameters": {"learning_rate_multiplier": float("nan")}},
     "hyperparameters.learning_rate_multiplier"),
    ({"training_type": "fast"}, "training_type"),
    ({"deployment": "yes"}, "deployment"),
    ({"deployment": {"replicas": 2}}, "deployment.replicas"),
    ({"deployment": {"enabled": "true"}}, "deployment.enabled"),
    ({"deployment": {"name": "-bad"}}, "deployment.name"),
    ({"deployment": {"name": "a" * 65}}, "deployment.name"),
    ({"deployment": {"sku": "Standard!"}}, "deployment.sku"),
    ({"deployment": {"capacity": 0}}, "deployment.capacity"),
    ({"deployment": {"require_approval": 1}}, "deployment.require_approval"),
    ({"deployment": {"approval_timeout_hours": 0}}, "deployment.approval_timeout_hours"),
    ({"deployment": {"approval_timeout_hours": 24 * 31}}, "deployment.approval_timeout_hours"),
    ({"smoke_test": {"prompt": "hi"}}, "smoke_test.prompt"),
    ({"smoke_test": {"messages": []}}, "smoke_test.messages"),
    ({"smoke_test": {"messages": [{"role": "user"}]}}, "smoke_test.messages[0]"),
    ({"smoke_test": {"messages": [{"role": "robot", "content": "x"}]}}, "smoke_test.messages[0].role"),
    ({"smoke_test": {"messages": [{"role": "user", "content": " "}]}}, "smoke_test.messages[0].content"),
    ({"smoke_test": {"messages": [{"role": "assistant", "content": "x"}]}}, "smoke_test.messages"),
    ({"max_cost_usd": -1}, "max_cost_usd"),
    ({"max_cost_usd": "10"}, "max_cost_usd"),
    ({"cleanup": "no"}, "cleanup"),
])
def test_bad_settings_are_rejected_naming_the_field(raw, field):
    with pytest.raises(RequestError) as caught:
        parse_run_settings(raw, APP)
    assert caught.value.code == INVALID_RUN_SETTINGS
    assert caught.value.field == field
    assert caught.value.message.endswith(".") and len(caught.value.message) > 20


def test_unknown_key_message_lists_the_allowed_ones():
    with pytest.raises(RequestError) as caught:
        parse_run_settings({"deployment": {"replicas": 2}}, APP)
    assert "deployment.replicas" in caught.value.message and "require_approval" in caught.value.message
