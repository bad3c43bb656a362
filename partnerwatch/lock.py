"""One cycle at a time per database, also across processes."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from storage.db import StorageError


class CycleBusy(Exception):
    """Another cycle on the same database is in progress."""


@contextmanager
def cycle_lock(database: Path, wait: float = 5.0) -> Iterator[None]:
    """Hold the database's run lock, waiting up to `wait` seconds for another cycle to end.

    An flock dies with its process, so a lock left by a killed run never blocks the next one.
    """
    path = database.with_name(database.name + ".lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        message = f"{database}: cannot open the run lock {path.name} ({exc.strerror})"
        raise StorageError(message) from None
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise CycleBusy(
                        f"another partnerwatch cycle is running on {database}; this one did nothing"
                    ) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)
