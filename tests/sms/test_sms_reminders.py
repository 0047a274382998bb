"""Reminders: a result ready but not collected after SMS_REMINDER_DAYS working days gets one
text, only with consent and never after STOP; the worker loop queues them and sends them."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa

from app.demo.procedures import PROCEDURES
from app.dossiers import change_status
from app.models import Message, PhonePreference, utcnow
from app.sms.channels.console import ConsoleChannel
from app.sms.gsm import count_segments, is_gsm7
from app.sms.reminders import queue_reminders, reminder_body, reminder_key
from app.sms.worker import run_forever

# Monday 18 Nov 2024, 10:00 in Vietnam, as naive UTC. No public holiday that week.
MONDAY = datetime(2024, 11, 18, 3, 0)
FRIDAY = datetime(2024, 11, 22, 3, 0)


@pytest.fixture
def ready(db, make_dossier):
    """A ready dossier whose result became ready at ``when`` (naive UTC)."""

    def make(when: datetime = MONDAY, **kw):
        dossier = make_dossier(status="ready", **kw)
        dossier.finished_at = when
        db.session.commit()
        return dossier

    return make


def reminders(db) -> list[Message]:
    db.session.expire_all()
    return list(db.session.scalars(
        sa.select(Message).where(Message.kind == "reminder").order_by(Message.id)))


def test_one_reminder_after_three_working_days(db, ready):
    dossier = ready(MONDAY)

    assert queue_reminders(MONDAY + timedelta(days=2)) == 0  # Wednesday: 2 working days
    assert queue_reminders(MONDAY + timedelta(days=3)) == 1  # Thursday: 3
    assert queue_reminders(MONDAY + timedelta(days=4)) == 0  # never a second one

    [message] = reminders(db)
    assert message.dedupe_key == reminder_key(dossier.id) == f"remind:{dossier.id}:1"
    assert (message.phone, message.dossier_id, message.status) == (
        dossier.phone, dossier.id, "queued")
    assert dossier.code in message.body and "18/11/2024" in message.body
    assert count_segments(message.body).segments == 1 and is_gsm7(message.body)


def test_weekend_does_not_count(db, ready):
    ready(FRIDAY)

    assert queue_reminders(FRIDAY + timedelta(days=4)) == 0  # Tuesday: Mon, Tue = 2 days
    assert queue_reminders(FRIDAY + timedelta(days=5)) == 1  # Wednesday: 3


def test_public_holiday_does_not_count(db, ready):
    # Ready Thursday 29 Aug 2024; 2–3 Sep are the National Day holiday.
    ready(datetime(2024, 8, 29, 3, 0))

    assert queue_reminders(datetime(2024, 9, 4, 3, 0)) == 0  # Fri 30, Wed 4 = 2 working days
    assert queue_reminders(datetime(2024, 9, 5, 3, 0)) == 1


def test_days_are_configurable_and_zero_turns_reminders_off(app, db, ready, monkeypatch):
    ready(MONDAY)
    monkeypatch.setitem(app.config, "SMS_REMINDER_DAYS", 0)
    assert queue_reminders(MONDAY + timedelta(days=30)) == 0
    monkeypatch.setitem(app.config, "SMS_REMINDER_DAYS", 1)
    assert queue_reminders(MONDAY + timedelta(days=1)) == 1


@pytest.mark.parametrize(
    "case", ["no_consent", "opted_out", "returned", "processing", "no_phone", "too_old"]
)
def test_no_reminder_when_it_is_not_wanted_or_not_news(db, ready, make_dossier, case):
    now = MONDAY + timedelta(days=7)
    if case == "no_consent":
        ready(MONDAY, sms_consent=False)
    elif case == "opted_out":
        dossier = ready(MONDAY)
        db.session.add(PhonePreference(phone=dossier.phone, opted_out=True))
        db.session.commit()
    elif case == "returned":
        dossier = ready(MONDAY)
        change_status(dossier, "returned", None)
    elif case == "processing":
        dossier = make_dossier(status="processing")
        dossier.finished_at = MONDAY
        db.session.commit()
    elif case == "no_phone":
        ready(MONDAY, phone="")
    elif case == "too_old":
        ready(MONDAY)
        now = MONDAY + timedelta(days=90)

    assert queue_reminders(now) == 0
    assert reminders(db) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("spec", PROCEDURES, ids=[p["slug"] for p in PROCEDURES])
def test_reminder_is_one_gsm7_segment_for_every_demo_procedure(db, make_office, make_procedure,
                                                                make_dossier, lang, spec):
    # The longest office hours: minutes everywhere and Saturday morning.
    make_office(am_start=time(7, 15), am_end=time(11, 45), pm_start=time(13, 15),
                pm_end=time(16, 45), open_saturday=True)
    content = spec["content"]
    procedure = make_procedure(name=content["vi"]["name"], name_en=content["en"]["name"])
    dossier = make_dossier(procedure=procedure, status="ready", lang=lang)
    dossier.finished_at = MONDAY

    body = reminder_body(dossier, lang)

    assert is_gsm7(body)
    assert count_segments(body).segments == 1, body
    assert dossier.code in body
    assert "13h15-16h45" in body, body  # the hours are never what gets cut


def test_reminder_goes_in_the_phones_language(db, ready):
    dossier = ready(MONDAY, lang="vi")
    db.session.add(PhonePreference(phone=dossier.phone, lang="en"))
    db.session.commit()

    queue_reminders(MONDAY + timedelta(days=3))

    [message] = reminders(db)
    assert message.body == reminder_body(dossier, "en")
    assert "Birth registration" in message.body  # the procedure's English name


def test_two_processes_queue_at_most_one_reminder(app, db, ready):
    ready(MONDAY)
    start = threading.Barrier(2)
    counts: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with app.app_context():
                start.wait()
                counts.append(queue_reminders(MONDAY + timedelta(days=3)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(counts) in ([0, 1], [1, 1])  # a lost race is rolled back, not counted twice
    assert len(reminders(db)) == 1


def test_cli_remind(runner, db, ready):
    ready(utcnow() - timedelta(days=10))

    result = runner.invoke(args=["sms", "remind"])

    assert result.exit_code == 0, result.output
    assert "queued 1 reminders" in result.output
    assert len(reminders(db)) == 1


def test_worker_loop_queues_and_sends_reminders(app, db, ready, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_QUIET_START", "00:00")  # whatever the hour the test runs
    monkeypatch.setitem(app.config, "SMS_QUIET_END", "00:00")
    dossier_id = ready(utcnow() - timedelta(days=10)).id
    stop = threading.Event()
    sent: list[str] = []

    class Recording(ConsoleChannel):
        def send(self, to, body, *, status_callback=None):
            sent.append(body)
            if body.startswith("Nhac"):
                stop.set()
            return super().send(to, body, status_callback=status_callback)

    safety = threading.Timer(30, stop.set)  # never hang the suite
    safety.start()
    try:
        run_forever("loop", interval=0.05, channel=Recording(), stop=stop)
    finally:
        safety.cancel()

    [message] = reminders(db)
    assert message.status == "sent" and message.dossier_id == dossier_id
    assert message.body in sent
