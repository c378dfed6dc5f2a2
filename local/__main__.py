"""``python -m local <command>``: dispatch to the command modules in ``local.commands``.

Usage errors (unknown command or option, missing file) exit 2 with a one-line
message and no traceback, as argparse does. A command run by a Python without the
project's packages (not ``.venv/bin/python``) says how to run it instead of a traceback;
Ctrl-C ends any command with exit 130 and one line.
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
            if _third_party(exc.name):
                print(missing_packages(name, exc.name), file=sys.stderr)
                return 2
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
    try:
        return int(modules[args.command].run(args) or 0)
    except KeyboardInterrupt:
        print(f"python -m local {args.command}: interrupted", file=sys.stderr)
        return 130
    except ModuleNotFoundError as exc:
        if not _third_party(exc.name):
            raise
        print(missing_packages(args.command, exc.name), file=sys.stderr)
        return 2


def _third_party(name: str | None) -> bool:
    top = (name or "").split(".")[0]
    return bool(top) and top not in ("local", "shared", "starters", "orchestrators", "activities")


def missing_packages(command: str, module: str | None) -> str:
    """The one-line fix when the project's packages are not installed in this Python."""
    return (f"python -m local {command}: error: this Python ({sys.executable}) lacks the project's packages "
            f"(no module {module!r}). Run 'make setup' once, then '.venv/bin/python -m local {command} ...' "
            "(or activate the environment first: '. .venv/bin/activate').")


if __name__ == "__main__":
    sys.exit(main())
