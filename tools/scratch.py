"""A scratch copy of the checkout (tracked and new files, not ignored ones) for tools that edit code."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def checkout_files(repo: Path) -> list[str]:
    """Paths of the files git tracks or would track (ignored ones such as .venv/ left out)."""
    listing = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=repo, capture_output=True, check=True).stdout
    return [name for name in listing.decode().split("\0") if name and (repo / name).is_file()]


def copy_checkout(repo: Path, target: Path) -> Path:
    """Copy the checkout's files into ``target``/repo; returns that folder."""
    root = target / "repo"
    for name in checkout_files(repo):
        destination = root / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo / name, destination)
    return root
