"""Issue 12, item 19: personal data is erased once its retention period is over
(``flask data purge``, run daily by deploy/systemd/motcua-daily.service), idempotently, and
nothing younger — nor anything still to be sent — is touched."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.config import ROOT
from app.models import Dossier, Feedback, LoginAttempt, Message, Subscription
from app.retention import purge
from app.sms.outbox import queue_message

START = datetime(2026, 1, 5, 9, 0)  # office time


def _message(db, office, phone: str, body: str, status: str, key: str | None = None) -> Message:
    message = queue_message(office_id=office.id, phone=phone, body=body, kind="notify",
                            dedupe_key=key)
    message.status = status
    db.session.commit()
    return message


@pytest.fixture
def history(db, clock, make_office, make_dossier):
    """Data written on 5 January 2026: texts, dossiers, feedback and failed sign-ins."""
    clock.local(START)
    office = make_office()
    old = {
        "sent": _message(db, office, "+84912000001", "Ho so VB-1 da co ket qua", "delivered",
                         key="event:1:+84912000001"),
        "inbound": _message(db, office, "+84912000002", "TT VB-1", "received"),
        "queued": _message(db, office, "+84912000003", "still to go", "queued"),
        "returned": make_dossier(status="returned", phone="+84912000004"),
        "open": make_dossier(status="processing", phone="+84912000005"),
        "feedback": Feedback(office_id=office.id, rating=2, comment="Anh Tám gọi 0912000006",
                             phone="+84912000006", handled_note="Đã gọi lại anh Tám"),
        "attempt": LoginAttempt(username="ban", ip="203.0.113.9"),
    }
    db.session.add_all([old["feedback"], old["attempt"],
                        Subscription(dossier_id=old["returned"].id, phone="+84912000007")])
    db.session.commit()
    return old


def _count(db, model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_nothing_is_erased_before_its_time(db, clock, history) -> None:
    clock.local(START + timedelta(days=89))
    assert str(purge()) == ("sms: 0, closed dossier phones: 0, subscriptions: 0, "
                            "feedback comments: 0, signin log: 0, help requests: 0")
    assert _count(db, LoginAttempt) == 1


def test_each_kind_goes_after_its_own_period(app, db, clock, history) -> None:
    assert app.config["RETAIN_SIGNIN_LOG_DAYS"] == 90
    clock.local(START + timedelta(days=91))
    done = purge()
    assert (done.signin_log, done.sms, done.feedback_comments) == (1, 0, 0)

    clock.local(START + timedelta(days=181))
    done = purge()
    assert done.sms == 2 and done.closed_dossier_phones == 0
    db.session.expire_all()
    sent, inbound, queued = history["sent"], history["inbound"], history["queued"]
    assert (sent.body, sent.phone, sent.dedupe_key) == ("", "", None)
    assert (inbound.body, inbound.phone) == ("", "")
    assert sent.status == "delivered" and sent.segments == 1  # still counted
    assert (queued.body, queued.phone) == ("still to go", "+84912000003")  # not sent yet

    clock.local(START + timedelta(days=366))
    done = purge()
    assert (done.closed_dossier_phones, done.subscriptions, done.feedback_comments) == (1, 1, 1)
    db.session.expire_all()
    returned, still_open = history["returned"], history["open"]
    assert (returned.phone, returned.sms_consent) == ("", False)
    assert still_open.phone == "+84912000005"  # an open dossier keeps its phone
    feedback = history["feedback"]
    assert (feedback.rating, feedback.comment, feedback.phone, feedback.handled_note) == (
        2, "", "", "")
    assert _count(db, Subscription) == 0


def test_purge_is_idempotent_and_reports_counts(runner, db, clock, history) -> None:
    clock.local(START + timedelta(days=400))
    rows = [_count(db, model) for model in (Message, Dossier, Feedback)]
    first = runner.invoke(args=["data", "purge"])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == ("purged: sms: 2, closed dossier phones: 1, subscriptions: 1, "
                                    "feedback comments: 1, signin log: 1, help requests: 0")
    second = runner.invoke(args=["data", "purge"])
    assert second.output.strip() == ("purged: sms: 0, closed dossier phones: 0, "
                                     "subscriptions: 0, feedback comments: 0, signin log: 0, help requests: 0")
    assert [_count(db, model) for model in (Message, Dossier, Feedback)] == rows  # emptied, kept


def test_periods_come_from_settings(app, db, clock, history, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "RETAIN_SMS_DAYS", 10)
    clock.local(START + timedelta(days=11))
    assert purge().sms == 2


def test_a_purged_closed_dossier_no_longer_answers_to_the_old_digits(client, db, clock, history
                                                                     ) -> None:
    code = history["returned"].code
    url = f"/vb/status?code={code}&digits=0004"
    assert "Trần Thị Lan" in client.get(url).get_data(as_text=True)
    clock.local(START + timedelta(days=366))
    purge()
    assert "Trần Thị Lan" not in client.get(url).get_data(as_text=True)


def test_the_daily_unit_runs_the_purge_after_the_reminders() -> None:
    unit = (ROOT / "deploy/systemd/motcua-daily.service.in").read_text()
    starts = re.findall(r"^ExecStart=.*--app wsgi (.+)$", unit, re.M)
    assert starts == ["sms remind", "data purge"]


def test_the_inventory_names_every_retention_setting() -> None:
    security = Path(ROOT / "docs/SECURITY.md").read_text()
    for name in ("RETAIN_SMS_DAYS", "RETAIN_CLOSED_DOSSIER_PHONE_DAYS",
                 "RETAIN_FEEDBACK_COMMENT_DAYS", "RETAIN_SIGNIN_LOG_DAYS",
                 "RETAIN_HELP_REQUEST_DAYS",
                 "91/2025/QH15", "356/2025"):
        assert name in security, name


def test_help_requests_lose_the_phone_after_their_period_and_keep_the_counts(
        app, db, clock, make_office) -> None:
    """Issue 16: the citizen's phone on a help request, and the texts that carried it, are
    emptied after RETAIN_HELP_REQUEST_DAYS (30); the request and its attempts stay counted."""
    from app.models import Hamlet, HelpAttempt, HelpRequest

    assert app.config["RETAIN_HELP_REQUEST_DAYS"] == 30
    clock.local(START)
    office = make_office()
    hamlet = Hamlet(office_id=office.id, name="Ấp Bốn", keyword="AP4")
    db.session.add(hamlet)
    db.session.flush()
    req = HelpRequest(office_id=office.id, hamlet_id=hamlet.id, phone="+84912345678",
                      state="done", dossier_code="VB-261203-0001")
    db.session.add(req)
    db.session.flush()
    db.session.add(HelpAttempt(request_id=req.id, outcome="done"))
    db.session.add(Message(office_id=office.id, direction="out", phone="+84909000206",
                           body="Nho giup so 1: goi 0912 345 678", kind="help", status="sent"))
    db.session.commit()
    clock.local(START + timedelta(days=29))
    assert purge().help_requests == 0
    clock.local(START + timedelta(days=31))
    assert purge().help_requests == 1
    db.session.expire_all()
    req = db.session.get(HelpRequest, req.id)
    assert (req.phone, req.erased, req.state, req.dossier_code) == ("", True, "done",
                                                                    "VB-261203-0001")
    assert len(req.attempts) == 1
    message = db.session.scalars(sa.select(Message).where(Message.kind == "help")).one()
    assert (message.body, message.phone) == ("", "")
    assert purge().help_requests == 0  # idempotent
