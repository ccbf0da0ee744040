"""The ``devorg`` command: options, the first-line JSON of CLI.md, and serving until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from types import FrameType

from biztel_desk.devorg.seeding import SEEDS
from biztel_desk.devorg.server import DevOrg, NonLoopbackHost, loopback_address


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``biztel-desk devorg`` (CLI.md)."""
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: a free port)")
    parser.add_argument("--seed", choices=SEEDS, default="demo",
                        help="demo: §2 setup + demo records; empty: §2 setup only; bare: nothing set up")
    parser.add_argument("--records", type=int, default=2000, help="demo records to generate (default 2000)")
    parser.add_argument("--random-seed", type=int, default=0, help="random seed of the demo data (default 0)")
    parser.add_argument("--latency-ms", type=float, default=0, help="delay added to every REST call")
    parser.add_argument("--index-delay-s", type=float, default=0,
                        help="SOSL does not find records written in the last N seconds")
    parser.add_argument("--session-ttl-s", type=float, default=7200, help="session inactivity timeout")
    parser.add_argument("--daily-limit", type=int, default=15000, help="daily API request limit")
    parser.add_argument("--state", default=None, metavar="FILE",
                        help="SQLite file to keep the org between runs (default: in memory)")
    parser.add_argument("--new-org", action="store_true",
                        help="behave like an org created from Winter '26: SOAP login() is disabled")


def run(args: argparse.Namespace) -> int:
    """Starts the dev org, prints the credentials line, serves until SIGINT/SIGTERM; 0, or 2 on a bad option."""
    try:
        loopback_address(args.host)
    except NonLoopbackHost as exc:
        print(f"devorg: {exc}", file=sys.stderr)
        return 2
    if args.records < 0 or args.daily_limit < 1 or args.session_ttl_s <= 0 or args.port < 0:
        print("devorg: --records, --port must be >= 0; --daily-limit and --session-ttl-s must be positive",
              file=sys.stderr)
        return 2
    try:
        org = DevOrg(seed=args.seed, records=args.records, random_seed=args.random_seed, latency_ms=args.latency_ms,
                     index_delay_s=args.index_delay_s, session_ttl_s=args.session_ttl_s,
                     daily_limit=args.daily_limit, state_path=args.state, host=args.host, port=args.port,
                     new_org=args.new_org)
        org.start()
    except OSError as exc:  # port in use, unwritable state file …
        print(f"devorg: cannot start: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        print(json.dumps(org.credentials, ensure_ascii=False), flush=True)
        print(f"devorg: serving {org.url} (instance {org.instance_url}); Ctrl+C to stop", file=sys.stderr,
              flush=True)
        while not stop.wait(0.5):
            continue
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        org.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m biztel_desk.devorg",
                                     description="Local Salesforce dev org (loopback only)")
    add_arguments(parser)
    return run(parser.parse_args(argv))
