"""What each hypothesis profile costs: the ledger state machine under ``ci`` next to ``dev``.

``dev`` (150 runs of 40 steps, random) is what the state machine always ran before the
profiles existed, so it is the baseline: the headline is *seconds under a profile ÷
seconds under dev*, measured in this process, the profiles taking turns round by round
so that a busy machine weighs on both alike.

    .venv/bin/python bench/hypothesis_profiles.py [--rounds 3] [--slow]

``--slow`` adds one round of the ``slow`` profile (about 7 minutes on a shared 2-core machine).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

import tests.conftest  # noqa: F401  (registers the profiles)
from tests.unit.test_ledger_properties import LedgerMachine


def run(profile: str) -> float:
    """Seconds for one full run of the ledger state machine under ``profile``."""
    chosen = settings(settings.get_profile(profile), database=None, suppress_health_check=[HealthCheck.too_slow])
    started = time.perf_counter()
    run_state_machine_as_test(LedgerMachine, settings=chosen)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--slow", action="store_true")
    args = parser.parse_args()
    profiles = ["ci", "dev"]
    seconds: dict[str, list[float]] = {name: [] for name in profiles}
    for _ in range(args.rounds):
        for name in profiles:
            seconds[name].append(run(name))
    if args.slow:
        seconds["slow"] = [run("slow")]
    baseline = statistics.median(seconds["dev"])
    print(f"{'profile':8} {'runs×steps':>11} {'median s':>9} {'÷ dev':>7}")
    for name, taken in seconds.items():
        chosen = settings.get_profile(name)
        size = f"{chosen.max_examples}×{chosen.stateful_step_count}"
        median = statistics.median(taken)
        print(f"{name:8} {size:>11} {median:9.2f} {median / baseline:7.3f}")


if __name__ == "__main__":
    main()
