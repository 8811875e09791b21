"""SharePoint sync: pull the register, build it, push the generated documents."""

from __future__ import annotations

from .apply import apply
from .check import check
from .runner import local_outputs, parse_every, run_sync
from .sync import SyncPlan, describe, plan

__all__ = [
    "SyncPlan",
    "apply",
    "check",
    "describe",
    "local_outputs",
    "parse_every",
    "plan",
    "run_sync",
]
