"""Query worker processes that can be killed, so a time limit really stops the work.

pyoxigraph cannot cancel a running query. aenc therefore runs queries in worker processes and
kills a worker whose query runs out of time. Workers are forked from a *zygote*: a process
forked once, right after the store is loaded and before the server starts any thread. The zygote
stays single-threaded and forks each worker on request, so every worker shares the loaded store
with the server copy-on-write and no worker is ever forked from a multi-threaded process. A new
worker replaces a killed one within milliseconds.

Workers and the zygote die with the server (Linux parent-death signal, and end-of-file on their
sockets).
"""
from __future__ import annotations

import ctypes
import faulthandler
import logging
import os
import queue
import resource
import signal
import socket
import threading
import time
from multiprocessing.connection import Connection
from typing import Any, Callable

from graph.errors import QueryTimeout

log = logging.getLogger("aenc.workers")

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent exits (no-op elsewhere)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: end-of-file on the sockets still ends us
        pass


def _limit_memory(extra_mb: int) -> None:
    """Cap this process's address space at its current size (the shared store) + extra_mb."""
    try:
        with open("/proc/self/status") as status:
            kb = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
    except (OSError, StopIteration, ValueError):  # not Linux: no limit rather than a wrong one
        return
    limit = kb * 1024 + extra_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


class WorkerDied(RuntimeError):
    """A worker process ended while running a query (a crash, or killed from outside)."""


class _Worker:
    def __init__(self, pid: int, conn: Connection):
        self.pid = pid
        self.conn = conn

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.conn.close()


class WorkerPool:
    """A fixed number of forked workers running ``execute(job)`` with a hard time limit."""

    def __init__(self, size: int, execute: Callable[[Any], Any], *, memory_mb: int | None = None):
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.size = size
        self.memory_mb = memory_mb
        self._execute = execute
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._spawn_lock = threading.Lock()
        self._closed = False
        self.kills = 0
        parent_end, zygote_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:  # the zygote
            parent_end.close()
            code = 0
            try:
                self._run_zygote(zygote_end)
            except BaseException:  # the zygote must never return into the server's code
                code = 1
            os._exit(code)
        zygote_end.close()
        self._zygote_pid = pid
        self._ctrl = parent_end
        for _ in range(size):
            self._idle.put(self._spawn())

    # -- zygote and worker side ----------------------------------------------------------------

    def _run_zygote(self, ctrl: socket.socket) -> None:
        _die_with_parent()
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped automatically
        while True:
            request = ctrl.recv(1)
            if not request:  # the server closed the pool or exited
                return
            mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            pid = os.fork()
            if pid == 0:
                ctrl.close()
                theirs.close()
                code = 0
                try:
                    self._run_worker(Connection(mine.detach()))
                except BaseException:
                    code = 1
                os._exit(code)
            mine.close()
            socket.send_fds(ctrl, [str(pid).encode()], [theirs.fileno()])
            theirs.close()

    def _run_worker(self, conn: Connection) -> None:
        _die_with_parent()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        faulthandler.disable()  # a worker killed at its memory limit is expected, not a crash to dump
        if self.memory_mb:
            _limit_memory(self.memory_mb)
        while True:
            try:
                job = conn.recv()
            except (EOFError, OSError):
                return
            conn.send(self._execute(job))

    # -- server side ---------------------------------------------------------------------------

    def _spawn(self) -> _Worker:
        with self._spawn_lock:
            self._ctrl.sendall(b"s")
            msg, fds, _, _ = socket.recv_fds(self._ctrl, 32, 1)
        if not fds:
            raise WorkerDied("the worker zygote did not answer; restart the server")
        return _Worker(int(msg.decode()), Connection(fds[0]))

    def run(self, job: Any, timeout: float | None) -> Any:
        """Run one job on a free worker; kill it and raise QueryTimeout when time runs out."""
        started = time.monotonic()
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise QueryTimeout(
                f"all {self.size} query workers stayed busy for {timeout:g} s",
                hint="try again shortly, or ask the operator to raise the workers setting",
            ) from None
        remaining = None if timeout is None else max(0.0, timeout - (time.monotonic() - started))
        try:
            worker.conn.send(job)
            if not worker.conn.poll(remaining):
                self._replace(worker)
                worker = None
                raise QueryTimeout(
                    f"the query ran longer than its time limit of {timeout:g} s and was stopped",
                    hint="make it more selective (a LIMIT, fewer unbound patterns), or ask for "
                    "fewer results",
                )
            return worker.conn.recv()
        except (EOFError, OSError) as exc:
            self._replace(worker)
            worker = None
            raise WorkerDied(f"a query worker stopped unexpectedly: {exc!r}") from exc
        finally:
            if worker is not None:
                self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        self.kills += 1
        if self._closed:
            return
        try:
            self._idle.put(self._spawn())
        except (OSError, WorkerDied) as exc:
            log.error("could not start a replacement query worker: %s", exc)

    def alive(self) -> int:
        """Idle workers right now (busy ones are not counted)."""
        return self._idle.qsize()

    def close(self) -> None:
        """Stop every worker and the zygote."""
        if self._closed:
            return
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                break
        self._ctrl.close()
        try:
            os.kill(self._zygote_pid, signal.SIGKILL)
            os.waitpid(self._zygote_pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
