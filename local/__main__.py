"""``python -m local <command>``: dispatch to the command modules in ``local.commands``.

Usage errors (unknown command or option, missing file) exit 2 with a one-line
message and no traceback, as argparse does.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from local.commands import COMMANDS


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line: 'error: ...' and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _Parser(prog="python -m local", description="Run the fine-tuning app on one machine.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    wanted = argv[0] if argv and not argv[0].startswith("-") else None
    modules = {}
    for name, module_name in COMMANDS.items():
        if wanted is not None and name != wanted:
            sub.add_parser(name, help=f"(see python -m local {name} --help)")
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            sub.add_parser(name, help="(not available in this checkout)")
            continue
        modules[name] = module
        module.add_arguments(sub.add_parser(name, help=module.HELP, description=module.HELP))
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command not in modules:
        parser.error(f"command {args.command!r} is not available in this checkout")
    return int(modules[args.command].run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
