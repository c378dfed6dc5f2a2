"""``python -m local pause ID``: see local/commands/decide.py."""

from local.commands.decide import decision_command

HELP, add_arguments, run = decision_command("pause")
