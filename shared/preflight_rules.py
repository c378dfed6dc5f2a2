"""The pre-flight rules a run's files and settings must meet together (pure; the pipeline and the CLI).

``folder_problem`` is what the ``preflight`` stage and ``python -m local validate``/``drop`` check
before anything is uploaded: reinforcement fine-tuning needs a validation file (Azure's RFT
docs: "Both a training and a validation dataset must be provided"), and
``deployment.checkpoint: "best"`` picks by the validation loss (or reward), which only a
validation file gives. The choice made here: refuse, rather than quietly deploy the final model.
"""

from __future__ import annotations

from shared import errors
from shared.run_settings import RunSettings


def folder_problem(settings: RunSettings, has_validation: bool) -> tuple[str, str] | None:
    """(code, message) when the run cannot go on with these files; None when it can."""
    if settings.method.get("type") == "reinforcement" and not has_validation:
        return (errors.VALIDATION_FILE_REQUIRED,
                "Reinforcement fine-tuning needs a validation file too (the service evaluates the model on "
                "it during training). Add valid*.jsonl, prompts in the same format, to the run folder.")
    if settings.deployment.checkpoint == "best" and not has_validation:
        return (errors.INVALID_RUN_SETTINGS,
                'deployment.checkpoint "best" picks the checkpoint with the lowest full_valid_loss, which '
                'only a validation file gives. Add valid*.jsonl to the run folder, or use "final".')
    return None
