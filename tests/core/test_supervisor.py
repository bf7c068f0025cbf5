"""`govhall up` supervision: a task worker or scheduler that dies is restarted with back-off and logged,
and the web server keeps serving meanwhile (core/supervisor.py, with fake child processes)."""

import logging

import pytest

from govhall.core.supervisor import ChildExited, Supervisor

COMMANDS = {"web": ["gunicorn"], "worker": ["govhall", "worker"], "scheduler": ["govhall", "scheduler"]}


class FakeProcess:
    def __init__(self, command):
        self.command, self.returncode, self.terminated = command, None, False

    def poll(self):
        return self.returncode

    def die(self, code=-9):  # kill -9
        self.returncode = code

    def terminate(self):
        self.terminated = True
        self.returncode = -15

    def wait(self, timeout=None):
        return self.returncode

    def kill(self):
        self.returncode = -9


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def up():
    spawned: list[FakeProcess] = []
    clock = Clock()

    def spawn(command):
        spawned.append(FakeProcess(command))
        return spawned[-1]

    supervisor = Supervisor(COMMANDS, restart={"worker", "scheduler"}, spawn=spawn, clock=clock)
    supervisor.start()
    return supervisor, spawned, clock


def process(supervisor, name):
    return supervisor.children[name].process


def test_a_killed_worker_is_restarted_after_a_growing_back_off_while_the_web_server_keeps_running(up, caplog):
    supervisor, spawned, clock = up
    web = process(supervisor, "web")
    caplog.set_level(logging.WARNING, logger="govhall.up")

    process(supervisor, "worker").die(-9)
    clock.advance(5)
    supervisor.check()
    assert "worker exited with -9 after 5 s; restarting in 1 s" in caplog.text
    assert len(spawned) == 3  # not at once
    clock.advance(1)
    supervisor.check()
    assert len(spawned) == 4 and spawned[-1].command == COMMANDS["worker"]
    assert process(supervisor, "worker") is spawned[-1]
    assert "worker restarted (restart 1)" in caplog.text

    # dying again soon after: the back-off doubles
    process(supervisor, "worker").die(1)
    clock.advance(2)
    supervisor.check()
    assert "worker exited with 1 after 2 s; restarting in 2 s" in caplog.text
    clock.advance(1)
    supervisor.check()
    assert len(spawned) == 4
    clock.advance(1)
    supervisor.check()
    assert len(spawned) == 5

    # after a steady run, the next exit is restarted after the first back-off again
    clock.advance(120)
    process(supervisor, "worker").die(1)
    supervisor.check()
    assert "restarting in 1 s" in caplog.records[-1].getMessage()

    assert web.poll() is None and not web.terminated and process(supervisor, "web") is web


def test_the_back_off_stops_growing_at_its_ceiling(up):
    supervisor, spawned, clock = up
    delays = []
    for _ in range(8):
        process(supervisor, "scheduler").die(1)
        supervisor.check()
        child = supervisor.children["scheduler"]
        delays.append(child.backoff)
        clock.advance(child.backoff)
        supervisor.check()
    assert delays == [1, 2, 4, 8, 16, 30, 30, 30]
    assert supervisor.children["scheduler"].restarts == 8


def test_the_scheduler_and_the_worker_are_supervised_independently(up):
    supervisor, spawned, clock = up
    worker = process(supervisor, "worker")
    process(supervisor, "scheduler").die(1)
    supervisor.check()
    clock.advance(1)
    supervisor.check()
    assert process(supervisor, "worker") is worker and worker.poll() is None
    assert supervisor.children["scheduler"].restarts == 1


def test_a_web_server_that_exits_ends_supervision_and_stop_ends_the_others(up):
    supervisor, spawned, clock = up
    process(supervisor, "web").die(3)  # e.g. the port is taken
    with pytest.raises(ChildExited) as exited:
        supervisor.check()
    assert (exited.value.name, exited.value.returncode) == ("web", 3)
    supervisor.stop()
    assert process(supervisor, "worker").terminated and process(supervisor, "scheduler").terminated
