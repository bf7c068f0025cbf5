"""Supervision of the processes of ``govhall up``.

The web server, the task worker and the scheduler run as child processes. A child named in
``restart`` (the worker, the scheduler) that exits is started again after a back-off: 1 s, doubled
after every exit that follows a short run, at most ``max_backoff``; a child that ran ``steady``
seconds starts again at 1 s. Every exit and restart is logged; the other children go on (the web
server keeps serving while the worker is down). A child not named in ``restart`` (the web server,
whose own master restarts its workers) ends the supervision when it exits: a web server that cannot
bind its port must not be retried for ever.
"""

from __future__ import annotations

import logging
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

log = logging.getLogger("govhall.up")


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    backoff: float = 0.0  # delay before the last restart; 0 before the first exit
    restart_at: float | None = None
    restarts: int = 0


class ChildExited(Exception):
    """A child that is not restarted exited: supervision ends."""

    def __init__(self, name: str, returncode: int):
        super().__init__(f"{name} exited with {returncode}")
        self.name, self.returncode = name, returncode


class Supervisor:
    def __init__(self, commands: dict[str, list[str]], *, restart: Iterable[str],
                 spawn: Callable[[list[str]], subprocess.Popen] = subprocess.Popen,
                 clock: Callable[[], float] = time.monotonic, first_backoff: float = 1.0,
                 max_backoff: float = 30.0, steady: float = 60.0):
        self.children = {name: Child(name, command) for name, command in commands.items()}
        self.restart = set(restart)
        self.spawn, self.clock = spawn, clock
        self.first_backoff, self.max_backoff, self.steady = first_backoff, max_backoff, steady

    def start(self) -> None:
        for child in self.children.values():
            self._start(child)

    def _start(self, child: Child) -> None:
        child.process = self.spawn(child.command)
        child.started_at = self.clock()
        child.restart_at = None

    def check(self) -> None:
        """One look at every child: note exits, restart those whose back-off has passed.
        Raises ChildExited when a child that is not restarted exited."""
        now = self.clock()
        for child in self.children.values():
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restarts += 1
                    self._start(child)
                    log.warning("%s restarted (restart %s)", child.name, child.restarts)
                continue
            code = child.process.poll() if child.process is not None else None
            if code is None:
                continue
            if child.name not in self.restart:
                log.error("%s exited with %s; stopping", child.name, code)
                raise ChildExited(child.name, code)
            ran = now - child.started_at
            child.backoff = (self.first_backoff if ran >= self.steady or not child.backoff
                             else min(self.max_backoff, child.backoff * 2))
            child.restart_at = now + child.backoff
            log.warning("%s exited with %s after %.0f s; restarting in %.0f s", child.name, code, ran, child.backoff)

    def run(self, sleep: Callable[[float], None] = time.sleep, tick: float = 0.5) -> None:
        """Start the children and supervise them until a non-restarted child exits (ChildExited) or
        the caller is interrupted (KeyboardInterrupt); call stop() afterwards in any case."""
        self.start()
        while True:
            self.check()
            sleep(tick)

    def stop(self, timeout: float = 10.0) -> None:
        running = [c.process for c in self.children.values() if c.process is not None and c.process.poll() is None]
        for process in running:
            process.terminate()
        deadline = self.clock() + timeout
        for process in running:
            try:
                process.wait(max(0.1, deadline - self.clock()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
