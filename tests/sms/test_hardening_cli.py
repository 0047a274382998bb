"""Issue 12, item 16: ``flask sms worker`` with options no run could work with stops at once
with a clear error and a non-zero exit, instead of logging a traceback every pass forever."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from app.sms.worker import run_forever


@pytest.fixture
def safety_stop():
    """If the command loops (the bug), interrupt it after a few seconds so the test fails
    instead of hanging. A fixed command returns long before."""
    timer = threading.Timer(5.0, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    yield
    timer.cancel()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lease", "10"], "at least twice the send timeout"),
        (["--lease", "19.9"], "at least twice the send timeout"),
        (["--lease", "0"], "--lease"),
        (["--lease", "ten"], "--lease"),
        (["--batch", "0"], "--batch"),
        (["--interval", "0"], "--interval"),
        (["--worker-id", ""], "--worker-id"),
        (["--worker-id", "a b"], "--worker-id"),
        (["--worker-id", "x" * 65], "--worker-id"),
        (["--worker-id", "w\x00"], "--worker-id"),
    ],
)
def test_bad_worker_options_exit_non_zero_with_a_clear_error(app, runner, monkeypatch,
                                                            safety_stop, args, message) -> None:
    monkeypatch.setitem(app.config, "TWILIO_TIMEOUT", 10.0)
    monkeypatch.setitem(app.config, "SMS_CHANNEL", "console")
    result = runner.invoke(args=["sms", "worker", *args])
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_good_lease_still_runs(app, runner, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "TWILIO_TIMEOUT", 10.0)
    result = runner.invoke(args=["sms", "worker", "--once", "--lease", "20",
                                 "--worker-id", "host-1.a_b"])
    assert result.exit_code == 0, result.output


def test_run_forever_refuses_a_bad_lease_before_looping(app, db, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "TWILIO_TIMEOUT", 10.0)
    stop = threading.Event()
    timer = threading.Timer(3.0, stop.set)  # the bug: it would loop until this
    timer.start()
    try:
        with pytest.raises(ValueError, match="at least twice"):
            run_forever("w1", lease=10, remind_every=None, stop=stop)
    finally:
        timer.cancel()
