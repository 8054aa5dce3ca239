"""What every benchmark instance is: a contract scenario document, the day to query, and a witness.

Instances are stored as plain JSON (the scenario exactly as the contract spells it), so any of them
can also be fed to `python -m solver slots` by hand.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from solver.domain import Scenario
from solver.schema import load_scenario

INSTANCE_DIR = Path(__file__).resolve().parent / "instances"
FORMAT_VERSION = 1  # bump when generation changes, so stale cached files are regenerated


@dataclass
class BenchInstance:
    """A scenario document with the operational day to query and a known valid assignment.

    `witness` maps every untaken task id to a worker id (None when no assignment is known);
    `skill` is the skill the benchmark's new task asks for; `meta` says how the instance was made.
    """

    name: str
    kind: str  # "generated" or "ptsp"
    scenario_doc: dict[str, Any]
    date: str
    skill: str | None
    witness: dict[str, Any] | None  # task id -> worker id (v1 days) or list of worker ids (crew days)
    meta: dict[str, Any] = field(default_factory=dict)

    def scenario(self) -> Scenario:
        """The validated domain scenario (through the same schema the CLI and the API use)."""
        return load_scenario(self.scenario_doc)

    @property
    def n_workers(self) -> int:
        return len(self.scenario_doc["workers"])

    @property
    def n_tasks(self) -> int:
        return len(self.scenario_doc["tasks"])

    def to_json(self) -> dict[str, Any]:
        return {"format_version": FORMAT_VERSION, **asdict(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BenchInstance:
        data = dict(data)
        data.pop("format_version", None)
        return cls(**data)


def instance_path(name: str, directory: Path = INSTANCE_DIR) -> Path:
    return directory / f"{name}.json"


def save_instance(inst: BenchInstance, directory: Path = INSTANCE_DIR) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = instance_path(inst.name, directory)
    tmp = path.with_suffix(".json.tmp")
    # Compact JSON: XL instances are a few MB and are read once per engine process.
    tmp.write_text(json.dumps(inst.to_json(), separators=(",", ":")))
    tmp.replace(path)  # atomic, so a killed run never leaves a half-written cache file
    return path


def load_instance(path: Path) -> BenchInstance:
    return BenchInstance.from_json(json.loads(path.read_text()))


def cached_version(path: Path) -> int | None:
    """Format version of a cached file, None if it is missing or unreadable."""
    try:
        version = json.loads(path.read_text()).get("format_version")
    except (OSError, ValueError):
        return None
    return version if isinstance(version, int) else None
