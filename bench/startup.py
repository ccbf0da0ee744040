"""Start-up benchmark (issue #6 item 5): how long until the main window is shown.

Launches ``python -m biztel_desk --data-dir <tmp> --lang ja`` (or a built executable, ``--exe``) as a
subprocess, offscreen, with ``BIZTEL_DESK_STARTUP_PROBE=1``: the app prints ``startup-ms N`` to stderr once
its window is shown — N counted from ``BIZTEL_DESK_LAUNCHED_AT``, the ``time.time()`` just before this
script started the process — and quits. The first run uses a fresh data dir (the database is created and
migrated: the cold start); the next ``--runs`` reuse it. Prints the cold run and min/median/max of the rest,
and (on POSIX) the CPU time each whole process used: on a busy machine the wall time waits for a core, the
CPU time does not.

    python bench/startup.py [--runs 5] [--lang ja] [--exe dist/biztel-desk/biztel-desk] [--budget-ms 1500]

Exit status 1 when ``--budget-ms`` is given and the cold run or the median exceeds it.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROBE = re.compile(r"^startup-ms (\d+)$", re.MULTILINE)


def _children_cpu_s() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def launch(command: list[str], timeout: float) -> tuple[int, int]:
    """One start: the window's startup-ms as the app reports it, and the process's CPU ms (start to exit)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BIZTEL_DESK_STARTUP_PROBE="1")
    cpu_before = _children_cpu_s()
    env["BIZTEL_DESK_LAUNCHED_AT"] = repr(time.time())
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    cpu_ms = round((_children_cpu_s() - cpu_before) * 1000)
    found = PROBE.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"start-up failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return int(found.group(1)), cpu_ms


def _summary(values: list[int]) -> str:
    return (f"min {min(values)} ms, median {round(statistics.median(values))} ms, max {max(values)} ms  "
            f"({', '.join(map(str, values))})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="warm runs after the cold one (default 5)")
    parser.add_argument("--lang", default="ja", choices=["ja", "en"])
    parser.add_argument("--exe", help="a built executable instead of python -m biztel_desk")
    parser.add_argument("--budget-ms", type=int, help="fail when the cold run or the median is slower")
    parser.add_argument("--timeout", type=float, default=60, help="per start (seconds)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="biztel-startup-") as tmp:
        data_dir = Path(tmp) / "data"
        base = [args.exe] if args.exe else [sys.executable, "-m", "biztel_desk"]
        command = [*base, "--data-dir", str(data_dir), "--lang", args.lang]
        cold, cold_cpu = launch(command, args.timeout)
        runs = [launch(command, args.timeout) for _ in range(args.runs)]
    warm = [ms for ms, _cpu in runs]

    load = f", load average {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else ""
    print(f"command: {' '.join(base)} --data-dir <tmp> --lang {args.lang}")
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs{load}")
    print(f"cold (fresh data dir, migrations run): {cold} ms to the window (process CPU {cold_cpu} ms)")
    if warm:
        print(f"warm x{len(warm)} to the window: {_summary(warm)}")
        print(f"warm x{len(warm)} process CPU:   {_summary([cpu for _ms, cpu in runs])}")
    if args.budget_ms is not None:
        slow = cold > args.budget_ms or (warm and statistics.median(warm) > args.budget_ms)
        print(f"budget {args.budget_ms} ms: {'EXCEEDED' if slow else 'ok'}")
        return 1 if slow else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
