"""``python -m tests.chaos [--seed N] [--ops N] [--source server|local]``: one chaos run; exit
code 1 when any invariant failed."""

from __future__ import annotations

import argparse
import asyncio
import sys

from .run import run_chaos


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.chaos", description=__doc__)
    parser.add_argument("--seed", type=int, default=1, help="seed of the fault mix (default 1)")
    parser.add_argument("--ops", type=int, default=10_000, help="operations (default 10000)")
    parser.add_argument("--source", choices=("server", "local"), default="server")
    parser.add_argument("--concurrency", type=int, default=20, help="operations per wave")
    args = parser.parse_args(argv)
    report = asyncio.run(
        run_chaos(args.seed, args.ops, source=args.source, concurrency=args.concurrency)
    )
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
