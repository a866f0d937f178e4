"""Worker processes that end with the process that started them.

A ``ranknews import`` killed with SIGKILL cannot tell its workers to stop; without this
they stay alive under PID 1, holding memory and the file. ``die_with_parent`` runs in each
worker as its pool initializer: on Linux the kernel sends the worker SIGKILL when its
parent dies (``prctl(PR_SET_PDEATHSIG)``); elsewhere a daemon thread polls the parent's id
and exits when it changes (the worker was re-parented).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import threading
import time

PR_SET_PDEATHSIG = 1
POLL_SECONDS = 1.0


def die_with_parent(parent: int) -> None:
    """Make this process end when ``parent`` (the pid that started it) ends."""
    if not _death_signal():
        threading.Thread(target=_watch, args=(parent,), name="ranknews-parent-watch",
                         daemon=True).start()
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


def _death_signal() -> bool:
    """Ask the kernel for SIGKILL when the parent dies; False where prctl is unavailable."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    os._exit(1)
