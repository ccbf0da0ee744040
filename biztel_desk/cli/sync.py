"""``biztel-desk sync [--once] [--setting NAME]``: the link worker (and, without --once, the call sources) headless."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any, TextIO

from biztel_desk.domain.vocabulary import pick
from biztel_desk.services.context import AppContext
from biztel_desk.services.ingest_sources import IngestStatus, SourceState
from biztel_desk.services.link_runtime import (
    SERVICE,
    SYNC,
    LinkRuntime,
    LinkWorker,
    WorkerStatus,
    engine_options,
    is_login_failure,
)

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
# The worker ended by itself on a bug (a database that cannot be used exits EXIT_USAGE): non-zero, so a service
# manager (systemd Restart=on-failure, a Windows service wrapper) starts it again.
EXIT_INTERNAL = 3


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "sync",
        help="run the link worker headless; --once processes what is due and exits",
        description="Runs the link worker until SIGINT/SIGTERM, with the configured call sources (the watched folder "
        "and the HTTP ingest endpoint, see `biztel-desk ingest`): a call they add is linked at once; history older "
        "than the retention period is purged at start-up and daily. With --once neither runs.",
    )
    parser.add_argument("--once", action="store_true",
                        help="process everything due now, print a summary, exit (the watched folder and the HTTP "
                        "endpoint are not started)")
    parser.add_argument("--service", action="store_true",
                        help="run as the background service (set by `biztel-desk service install`): the window on "
                        "this PC shows its state and its 開始/休止/停止 act on it")
    parser.add_argument("--setting", metavar="NAME", help="only this link setting (default: every enabled one)")
    parser.add_argument("--timeout", type=float, default=30, metavar="SECONDS", help="per Salesforce request (default 30)")
    parser.add_argument("--write-limit", type=float, default=None, metavar="SECONDS",
                        help="how long Salesforce may still commit a write whose answer was lost, before it is sent "
                        "again (default 600, Salesforce's limit; lower it only for a server that commits at once)")
    parser.add_argument("--no-index", action="store_true", help="match with SOSL only (no local phone index)")
    parser.add_argument("--batch-size", type=int, default=200, metavar="N", help="jobs per batch (1-200, default 200)")
    parser.set_defaults(handler=run_sync)


def _text(lang: str, ja: str, en: str) -> str:
    return pick(lang, ja, en)


def _line(text: str) -> None:
    """One line on stderr in one write: the worker's thread and the main thread print, and print() writes the text
    and its newline apart (two threads' lines ran into each other)."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def run_sync(args: argparse.Namespace, context: AppContext, _stdin: TextIO, stdout: TextIO) -> int:
    from biztel_desk.cli import setting_argument

    lang = context.lang
    settings = [setting_argument(context, args.setting)] if args.setting else None
    options = engine_options(timeout_s=args.timeout, use_index=not args.no_index,
                             batch_size=max(1, min(200, args.batch_size)),
                             server_write_limit_s=None if args.write_limit is None else max(0.0, args.write_limit))
    # --once: the worker alone (no sources, no housekeeping); otherwise the runtime the window runs too.
    # Without --once: a heartbeat row that tells the window on this PC that linking runs here (and what it does).
    beacon = None if args.once else SERVICE if args.service else SYNC
    runtime = LinkRuntime(context, settings=settings, options=options, run_sources=not args.once, beacon=beacon)
    if args.once:
        return _once(runtime.worker, lang, stdout)
    return _forever(runtime, lang, stdout)


def start_runtime(runtime: LinkRuntime) -> SourceLines:
    """Start the runtime (housekeeping, the configured call sources, the worker); the sources' state goes to stderr.

    A long-running headless sync purges history past 履歴保持期間 at start-up and daily, as the window does.
    Returns what was printed, for ``SourceLines.update`` while the sync runs.
    """
    runtime.start()
    printed = SourceLines(runtime.context.lang)
    printed.update(runtime.wait_for_sources())
    return printed


class SourceLines:
    """The call sources' lines on stderr: all at start-up, then one line each time a source's state changes (the
    CDR database down with the reason, up again), never the same line twice in a row."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._last: dict[str, tuple[SourceState, str]] = {}

    def update(self, status: IngestStatus | None) -> None:
        if status is None:
            return
        # lines(): the folder, HTTP, then the CDR database once it is configured
        states = (status.folder.state, status.http.state, status.cdr_db.state)
        for line, state in zip(status.lines(self.lang), states, strict=False):
            source = line.split(": ", 1)[0]
            before = self._last.get(source)
            if before == (state, line):
                continue
            self._last[source] = (state, line)
            if before is not None and before[0] is SourceState.ERROR and state is SourceState.RUNNING:
                line += _text(self.lang, "(復旧しました)", " (recovered)")
            _line(f"[ingest] {line}")


def _once(worker: LinkWorker, lang: str, stdout: TextIO) -> int:
    summary = worker.run_once()
    stdout.write(f"linked\t{summary.linked}\nretrying\t{summary.retrying}\nfailed\t{summary.failed}\n"
                 f"skipped\t{summary.skipped}\n")
    if summary.updated:
        stdout.write(f"updated\t{summary.updated}\n")
    if summary.api_usage is not None:
        stdout.write(f"api_usage\t{summary.api_usage[0]}/{summary.api_usage[1]}\n")
    code = EXIT_PROBLEMS if summary.failed else EXIT_OK
    if summary.sending:
        stdout.write(f"sending\t{summary.sending}\n")
        # Their answer was lost and Salesforce may still commit them: never sent again before that is known.
        print(_text(lang, f"{summary.sending}件は送信結果をSalesforceで確認中です(書き込みから最長10分)。"
                          "次回の実行で確認し、必要なときだけ再送します。",
                    f"{summary.sending} calls await confirmation of their send in Salesforce (up to 10 minutes "
                    "after the write); the next run checks them and resends only if needed."), file=sys.stderr)
        code = EXIT_PROBLEMS
    for _name, _reason, message in summary.paused:
        # The API-usage guard or another process's lease: nothing was sent, and the user must know why.
        print(message, file=sys.stderr)
        code = EXIT_PROBLEMS
    for name, error in summary.errors:
        if is_login_failure(error):
            print(_text(lang, f"「{name}」: ログインできません: {error.text(lang)}",
                        f"'{name}': cannot log in: {error.text(lang)}"), file=sys.stderr)
            code = EXIT_USAGE
        else:
            print(_text(lang, f"「{name}」: 送信を中断しました({error})。次回の実行で続きを処理します。",
                        f"'{name}': sending stopped ({error}); the next run continues."), file=sys.stderr)
            code = max(code, EXIT_PROBLEMS)
    return code


def _forever(runtime: LinkRuntime, lang: str, stdout: TextIO) -> int:
    worker = runtime.worker
    stop = threading.Event()
    last: list[tuple[str, str]] = []

    def on_status(status: WorkerStatus) -> None:
        key = (status.state.value, status.message)
        if not last or last[-1] != key:
            last.append(key)
            _line(f"[{status.state.value}] {status.message}")

    def on_signal(_signum: int, _frame: Any) -> None:
        stop.set()

    worker.add_observer(on_status)
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        sources = start_runtime(runtime)
        while not stop.wait(0.5):
            if runtime.stop_requested.is_set():  # 停止 in the window on this PC
                print(_text(lang, "画面の「停止」によりバックグラウンド連携を終了します。",
                            "Stopping: 停止 was pressed in the window."), file=sys.stderr, flush=True)
                break
            if not worker.running:
                break
            sources.update(runtime.status().sources)
    finally:
        # The sources first, then the worker (joined), then housekeeping: all before cli.run closes the database.
        ended = runtime.stop(worker_timeout=120)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if worker.failure is not None and worker.failure.fault is not None:
        return EXIT_USAGE  # the database cannot be used: no counters to show (the reason is the last status line)
    counters = worker.counters()
    stdout.write(f"linked\t{counters.linked}\nwaiting\t{counters.waiting}\nretrying\t{counters.retrying}\n"
                 f"failed\t{counters.failed}\nheld\t{counters.held}\n")
    if not ended:
        print(_text(lang, "送信中のバッチが終わる前に終了しました。次回の起動時に結果を確認します。",
                    "Stopped before the batch in flight finished; its outcome is checked at the next start."),
              file=sys.stderr)
    failure = worker.failure
    if failure is not None:
        # Transient faults (a lock, a full disk, the network) are retried inside the worker; this one ended it
        # (its message is the last status line above).
        return EXIT_USAGE if failure.fault is not None else EXIT_INTERNAL
    return EXIT_OK
