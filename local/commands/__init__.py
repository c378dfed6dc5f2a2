"""Subcommands of ``python -m local``: one module each, with ``add_arguments`` and ``run``.

A command module exposes::

    HELP: str                                   # one line for --help
    def add_arguments(parser: argparse.ArgumentParser) -> None
    def run(args: argparse.Namespace) -> int    # the process exit code

``COMMANDS`` maps a command name to its module; modules are imported only
when their command runs, so one command's dependencies never slow another.
"""

COMMANDS: dict[str, str] = {
    "validate": "local.commands.validate",
    "emulator": "local.commands.emulator",
    "host": "local.commands.host",
    "up": "local.commands.up",
    "demo": "local.commands.demo",
    "drop": "local.commands.drop",
    "status": "local.commands.status",
    "approve": "local.commands.approve",
    "reject": "local.commands.reject",
    "cancel": "local.commands.cancel",
    "pause": "local.commands.pause",
    "resume": "local.commands.resume",
}
