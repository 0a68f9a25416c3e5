"""Forked worker processes, one pipe each: lint's and the docs render's parallel work.

Why not `multiprocessing.Pool`: its workers share one task queue and its lock. A Ctrl-C
reaches the whole process group, so the workers die (each printing a KeyboardInterrupt
traceback), one of them sometimes while holding that lock, and `Pool.terminate` (run again
at exit) then waits for the lock for ever: an interrupted cold lint hung about 1 run in 6.
Here nothing is shared between the workers, so a dead worker holds nothing:
- a Ctrl-C or SIGTERM ends a worker at once and quietly (the default action), and the
  parent, which gets KeyboardInterrupt, kills whatever is left and goes on with it;
- a worker that dies for another reason (the OOM killer, a crash) has its unfinished tasks
  run in this process, so no result is lost;
- when this process dies, each worker reads the end of its pipe and exits.

Tasks come from an iterable that may be slow to produce (lint walks `schemas/` while the
first folders are linted): it is read here, in the caller's thread, between results. Each
worker has at most IN_FLIGHT tasks sent ahead, so tasks should be small (lint's are lists
of paths): a worker busy sending a large result reads none, and they wait in its pipe.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

Task = TypeVar("Task")
Result = TypeVar("Result")

IN_FLIGHT = 2  # tasks sent ahead to each worker: it never waits for the next one
_JOIN_S = 5.0  # a worker asked to stop that has not within this is killed


def fork_available() -> bool:
    """Whether this platform forks (POSIX); else callers work in this process."""
    try:
        multiprocessing.get_context("fork")
    except ValueError:
        return False
    return True


class WorkerFailed(RuntimeError):
    """A task raised in a worker, and its exception could not be sent back as it was."""


# Held while forking, and in the new worker until its handlers are the default ones: a
# Ctrl-C that came just after the fork otherwise raised KeyboardInterrupt in the worker's
# start-up (a traceback from `threading._after_fork` and one from the process's bootstrap).
_STOPPING = {signal.SIGINT, signal.SIGTERM}


def _serve(conn: Connection, func: Callable[[Any], Any], others: list[Connection]) -> None:
    """A worker: run each task it is sent until told to stop (None) or its pipe ends."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a Ctrl-C ends it, quietly
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's inherited handler
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPPING)  # one held since the fork: now
    for other in others:  # the other workers' pipes: their ends belong to the parent
        other.close()
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if task is None:
            return
        try:
            reply: tuple[bool, Any] = (True, func(task))
        except Exception as exc:
            reply = (False, exc)
        try:
            conn.send(reply)
        except Exception as exc:  # an exception that does not pickle
            conn.send((False, WorkerFailed(f"{type(exc).__name__}: {exc}")))


class ForkedWorkers(Generic[Task, Result]):
    """`workers` processes forked now, each running `func` on the tasks it is sent.

    They inherit this process's memory: set up what `func` reads before creating this.
    A context manager: on leaving, the workers are stopped, and killed if leaving on an
    exception (a Ctrl-C) or with tasks unfinished."""

    def __init__(self, func: Callable[[Task], Result], workers: int) -> None:
        context = multiprocessing.get_context("fork")
        self._func = func
        self._conns: list[Connection] = []
        self._processes: list[multiprocessing.process.BaseProcess] = []
        try:
            for _ in range(max(1, workers)):
                mine, theirs = context.Pipe(duplex=True)
                process = context.Process(
                    target=_serve, args=(theirs, func, list(self._conns)), daemon=True
                )
                held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING)
                try:
                    process.start()
                    theirs.close()
                    self._conns.append(mine)  # before a held Ctrl-C raises: it is killed
                    self._processes.append(process)
                finally:
                    signal.pthread_sigmask(signal.SIG_SETMASK, held)  # one came: raised here
        except BaseException:
            self.kill()
            raise

    def __enter__(self) -> ForkedWorkers[Task, Result]:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if kind is None:
            self.stop()
        else:
            self.kill()

    def map_unordered(
        self, tasks: Iterable[Task], meanwhile: Callable[[], object] | None = None
    ) -> Iterator[Result]:
        """`func(task)` for every task, in the order they finish; `meanwhile` is run here
        once the first tasks are sent (this process's own share of the work). Raises what
        a task raised."""
        source = iter(tasks)
        walked: deque[Task] = deque()  # taken from `source`, not sent yet
        exhausted = False
        sent: dict[Connection, deque[Task]] = {conn: deque() for conn in self._conns}
        lost: deque[Task] = deque()  # sent to a worker that died: run here
        while True:
            for depth in range(IN_FLIGHT):  # a task to each worker, then a second to each
                for conn in list(sent):
                    if len(sent[conn]) > depth:
                        continue
                    if not walked and not exhausted:
                        exhausted = not self._take(source, walked)
                    if not walked:
                        break
                    task = walked.popleft()
                    if self._send(conn, task):
                        sent[conn].append(task)
                    else:  # it died: its tasks and this one are run here
                        lost.extend([*sent.pop(conn), task])
                        self._forget(conn)
            if meanwhile is not None:
                own_share, meanwhile = meanwhile, None
                own_share()
            while lost:
                yield self._func(lost.popleft())
            busy = [conn for conn, queue in sent.items() if queue]
            if not busy:
                if exhausted and not walked:
                    return
                if not sent:  # every worker is gone: the rest here
                    for task in [*walked, *source]:
                        yield self._func(task)
                    return
                continue
            # Read ahead in the tasks while the workers run; wait only when none is left.
            if not exhausted:
                exhausted = not self._take(source, walked)
                ready = wait(busy, timeout=0)
            else:
                ready = wait(busy)
            for ready_conn in ready:
                conn = ready_conn  # type: ignore[assignment]  # one of `busy`
                try:
                    ok, value = conn.recv()
                except (EOFError, OSError):  # the worker died: its tasks are run here
                    lost.extend(sent.pop(conn))
                    self._forget(conn)
                    continue
                sent[conn].popleft()
                if not ok:
                    raise value
                yield value

    @staticmethod
    def _take(source: Iterator[Task], walked: deque[Task]) -> bool:
        """Take the next task into `walked`; False when there is none."""
        for task in source:
            walked.append(task)
            return True
        return False

    def _send(self, conn: Connection, task: Task) -> bool:
        try:
            conn.send(task)
        except (BrokenPipeError, ConnectionResetError, EOFError):
            return False
        return True

    def _forget(self, conn: Connection) -> None:
        at = self._conns.index(conn)
        conn.close()
        del self._conns[at]
        process = self._processes.pop(at)
        process.join(_JOIN_S)

    def stop(self) -> None:
        """Ask each worker to stop and wait for it (killed if it does not in `_JOIN_S`)."""
        for conn in self._conns:
            with contextlib.suppress(OSError, ValueError):
                conn.send(None)
        for process in self._processes:
            process.join(_JOIN_S)
            if process.exitcode is None:
                process.kill()
                process.join()
        self._close()

    def kill(self) -> None:
        """Kill the workers outright (an interrupt, an error): nothing to wait for."""
        for process in self._processes:
            with contextlib.suppress(OSError, ValueError):
                if process.pid is not None:
                    os.kill(process.pid, signal.SIGKILL)
        for process in self._processes:
            with contextlib.suppress(OSError, ValueError, AssertionError):
                process.join()
        self._close()

    def _close(self) -> None:
        for conn in self._conns:
            conn.close()
        self._conns, self._processes = [], []


def run_forked(
    func: Callable[[Task], Result],
    tasks: Iterable[Task],
    workers: int,
    meanwhile: Callable[[], object] | None = None,
) -> Iterator[Result]:
    """`func(task)` for every task in `workers` forked processes, as they finish (a
    generator: the workers are forked when it starts, and stopped when it ends; killed when
    it is closed early, on an exception or on a Ctrl-C). `meanwhile`: see `map_unordered`."""
    with ForkedWorkers(func, workers) as pool:
        yield from pool.map_unordered(tasks, meanwhile)
