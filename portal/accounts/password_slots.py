"""A machine-wide limit on password checks running at once.

A password check (scrypt) costs about a tenth of a second of a whole core and holds
a sync worker for all of it. During a burst of sign-ins (a Monday morning, a
script trying passwords past the per-address limit from many addresses) every
worker would be hashing and people submitting input would wait behind them. So a
check first takes one of a few *slots*; when every slot is taken (or resting, so
that checks use at most a share of its time) it waits a moment, then gives up,
and the person is told to try again in a few seconds.

The slots are lock files in the instance folder, taken with ``flock``: every
worker process and thread on this machine counts together, a worker that dies
gives its slot back as the kernel closes its files, and no clean-up is needed.
The limit is per machine on purpose: the cost is this machine's processor, so each
app server gets its own slots; a counter shared in Redis would let one busy server
starve another, and would need expiry times for workers that die holding one.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

# How often a waiting check looks for a free slot.
_POLL_SECONDS = 0.02
# No slot rests longer than this, whatever a check cost or a clock did.
_LONGEST_REST = 5.0


def default_slots() -> int:
    """Half the cores, at least one: the other half stays free for everything
    else the portal does while people sign in."""
    return max(1, (os.cpu_count() or 1) // 2)


@contextmanager
def password_check_slot(
    folder: str | os.PathLike[str],
    slots: int,
    wait_seconds: float,
    share: float = 1.0,
    meter: Callable[[], float] = time.thread_time,
) -> Iterator[bool]:
    """Hold a slot for the block; yields False (and holds nothing) when none came
    free within ``wait_seconds``. The caller then checks no password at all.

    ``share`` is the most of a slot's time that checks may use: after a check
    that used t seconds of processor (as ``meter`` counts them: by default all
    of this thread's) its slot rests t * (1 / share - 1) seconds, so at 0.5
    password checks use at most half of a core per slot however long the burst,
    and the worker processes stay free for everything else half the time."""
    directory = Path(folder) / "password-checks"
    directory.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + max(0.0, wait_seconds)
    while True:
        held = _take_free_slot(directory, max(1, slots))
        if held is not None:
            break
        if time.monotonic() >= deadline:
            yield False
            return
        time.sleep(_POLL_SECONDS)
    # Processor time, not wall time: the check's share of a core is what the
    # rest protects, and waiting on the database costs no core.
    started = meter()
    try:
        yield True
    finally:
        used = meter() - started
        rest = used * (1 / min(1.0, max(0.05, share)) - 1)
        _rest_until(held, time.time() + min(rest, _LONGEST_REST))
        # Closing the file releases its lock.
        os.close(held)


def _take_free_slot(directory: Path, slots: int) -> int | None:
    """The open, locked file of a free slot, or None when all are taken or
    resting. Each call opens its own file, so threads of one process exclude each
    other too."""
    for number in range(slots):
        descriptor = os.open(directory / f"slot-{number}.lock", os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            continue
        if _resting(descriptor):
            os.close(descriptor)
            continue
        return descriptor
    return None


def _resting(descriptor: int) -> bool:
    """Whether the slot's last check asked it to rest until later than now. A
    time further ahead than the longest rest (a clock set back) is ignored."""
    written = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
    try:
        until = float(written)
    except ValueError:
        return False
    now = time.time()
    return now < until <= now + _LONGEST_REST


def _rest_until(descriptor: int, until: float) -> None:
    """Mark the slot resting until then; a full share (no rest) leaves it empty."""
    os.ftruncate(descriptor, 0)
    if until > time.time():
        os.pwrite(descriptor, repr(until).encode("ascii"), 0)
