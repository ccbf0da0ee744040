"""Writers started at the same instant, each in its own thread (and so its own database connection)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from sqlalchemy.exc import DBAPIError


def run_at_once(works: Sequence[Callable[[], object]], timeout_s: float) -> list[BaseException]:
    """Run every work in its own thread, released together by a barrier; wait up to ``timeout_s`` for each. Returns
    the database errors (a deadlock or a serialization failure lands here) and failed assertions they raised."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(works))

    def run(work: Callable[[], object]) -> None:
        try:
            barrier.wait()
            work()
        except (DBAPIError, AssertionError) as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout_s)
    return errors
