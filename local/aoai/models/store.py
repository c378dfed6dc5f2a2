"""The emulator's whole state: the models, the signing key, and --state-dir persistence (JSON + blobs)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Any

from local.aoai.config import Timings
from local.aoai.models.deployments import DeploymentsModel
from local.aoai.models.faults import Faults
from local.aoai.models.files import FilesModel
from local.aoai.models.inference import Inference
from local.aoai.models.job_lifecycle import advance_jobs
from local.aoai.models.jobs import JobsModel
from local.aoai.models.learning import LearnedStore
from local.aoai.models.tokens import TokenIssuer

STATE_FILE = "state.json"


class EmulatorState:
    """Owns every model; persisted under `state_dir` when given, else in memory (+ a temp blob folder)."""

    def __init__(self, state_dir: Path | None, timings: Timings) -> None:
        self.state_dir = state_dir
        self.initial_timings = Timings(**timings.to_dict())
        self.timings = timings
        self._temp: str | None = None
        if state_dir is None:
            self._temp = tempfile.mkdtemp(prefix="aoai-emulator-")
            root = Path(self._temp)
        else:
            root = state_dir
        self.blobs = root / "blobs"
        self.blobs.mkdir(parents=True, exist_ok=True)
        self.faults = Faults()
        self.files = FilesModel(self.blobs, timings, self.faults)
        self.learned = LearnedStore(state_dir)
        self.jobs = JobsModel(self.files, timings, self.faults, self.learned)
        self.deployments = DeploymentsModel(timings, self.faults)
        self.inference = Inference(self.jobs, timings)
        self.tokens = TokenIssuer(self._signing_key(root))
        if state_dir is not None and (state_dir / STATE_FILE).exists():
            self._load(json.loads((state_dir / STATE_FILE).read_text(encoding="utf-8")))

    def _signing_key(self, root: Path) -> bytes:
        path = root / "signing-key"
        if self.state_dir is not None and path.exists():
            return bytes.fromhex(path.read_text(encoding="ascii").strip())
        key = secrets.token_bytes(32)
        if self.state_dir is not None:
            path.write_text(key.hex(), encoding="ascii")
            path.chmod(0o600)
        return key

    def advance(self, now: float) -> bool:
        changed = self.files.advance(now)
        changed |= advance_jobs(self.jobs, now)
        changed |= self.deployments.advance(now)
        if changed:
            self.save()
        return changed

    def reset(self) -> None:
        """Forget every file, job, deployment and fault; restore the timings the server started with."""
        self.files.records.clear()
        self.jobs.records.clear()
        self.deployments.records.clear()
        self.learned.clear()
        self.inference.clear()
        for name, value in Faults().__dict__.items():
            setattr(self.faults, name, value)
        self.timings.update(self.initial_timings.to_dict())
        for blob in self.blobs.iterdir():
            blob.unlink(missing_ok=True)
        self.save()

    def summary(self) -> dict[str, Any]:
        def brief(records: dict[str, Any], *fields: str) -> list[dict[str, Any]]:
            return [{f: getattr(r, f) for f in fields} for r in records.values()]

        return {
            "counts": {
                "files": len(self.files.records),
                "jobs": len(self.jobs.records),
                "deployments": len(self.deployments.records),
            },
            "files": brief(self.files.records, "id", "filename", "purpose", "status", "bytes"),
            "jobs": brief(
                self.jobs.records, "id", "model", "status", "suffix", "metadata", "fine_tuned_model"
            ),
            "deployments": brief(self.deployments.records, "name", "model_name", "sku_name", "state"),
            "faults": self.faults.to_dict(),
            "timings": self.timings.to_dict(),
        }

    def save(self) -> None:
        if self.state_dir is None:
            return
        data = {
            "files": self.files.to_dict(),
            "jobs": self.jobs.to_dict(),
            "deployments": self.deployments.to_dict(),
            "faults": self.faults.to_dict(),
        }
        target = self.state_dir / STATE_FILE
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temporary, target)

    def _load(self, data: dict[str, Any]) -> None:
        self.files.load(data.get("files", {}))
        self.jobs.load(data.get("jobs", {}))
        self.deployments.load(data.get("deployments", {}))
        loaded = Faults.from_dict(data.get("faults", {}))
        for name, value in loaded.__dict__.items():
            setattr(self.faults, name, value)

    def close(self) -> None:
        if self._temp is not None:
            shutil.rmtree(self._temp, ignore_errors=True)
