"""The chaos run: many mixed operations through one client against a fake PortOne that fails in
seeded ways, checked afterwards against the fake's own records.

``python -m tests.chaos --seed 1 --ops 10000`` (``make chaos``) prints the counts; the last line
is ``chaos: N operations, F faults, R retries, E typed errors, D duplicated, L lost,
U unreported, K leaks``, and the exit code is non-zero when any invariant failed.
"""

from .run import CANARY_KEY, CANARY_SECRET, ChaosReport, run_chaos

__all__ = ["CANARY_KEY", "CANARY_SECRET", "ChaosReport", "run_chaos"]
