"""How many CPU cores other programs leave free right now, for the model and the trainer.

llama.cpp's and torch's threads wait for each other at every matrix product, so a thread
that shares its core with another program stalls all the others: on a 2-core machine with
one core busy elsewhere, two decode threads gave 1–5 tokens/s where one thread gave 120.
Both the chat (at the start of each turn) and the trainer (when it starts) therefore use only
the cores that are free, sampled just before the work starts: the 1-minute load average
still counts work that ended a minute ago, and misses work that started a second ago.

Plain Python and psutil only: the trainer imports this, and it must not import Qt.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import psutil

# ~20 scheduler ticks on 2 cores: enough to see a busy core, short beside a reply.
TURN_SAMPLE_S = 0.1
# A core counts as free when other programs use less than this share of it: llama.cpp's
# threads spin-wait on each other, so even a core busy a third of the time slows every
# thread down to its pace.
FREE_BELOW = 0.25

BusySampler = Callable[[float], float]


def _busy_seconds(times: object) -> float:
    """CPU seconds spent not idle, as psutil counts them (guest time is already in user)."""
    values = times._asdict()  # type: ignore[attr-defined]
    total = sum(values.values()) - values.get("guest", 0.0) - values.get("guest_nice", 0.0)
    return total - values.get("idle", 0.0) - values.get("iowait", 0.0)


def busy_cores(interval: float) -> float:
    """Cores kept busy by *other* processes during the next ``interval`` seconds.

    This process's own use is subtracted: the window's UI thread, or the tokenizer of the
    turn that is starting, must not make the model think the machine is busy.
    """
    me = psutil.Process()
    started, system_before, own_before = time.monotonic(), psutil.cpu_times(), me.cpu_times()
    time.sleep(interval)
    elapsed = time.monotonic() - started
    system = _busy_seconds(psutil.cpu_times()) - _busy_seconds(system_before)
    own_after = me.cpu_times()
    own = (own_after.user + own_after.system) - (own_before.user + own_before.system)
    return max(0.0, (system - own) / elapsed) if elapsed > 0 else 0.0


def threads_for(cores: int, busy: float) -> int:
    """Threads for ``cores`` usable cores when ``busy`` cores' worth is used elsewhere.

    At least one (a fully loaded machine still has to answer), at most ``cores``.
    """
    taken = math.ceil(busy - FREE_BELOW)
    return max(1, min(cores, cores - taken))


def free_threads(cores: int, interval: float, sample: BusySampler = busy_cores) -> int:
    """Threads to use now: those of ``cores`` that other programs leave free."""
    return threads_for(cores, sample(interval))
