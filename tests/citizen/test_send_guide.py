"""The guide page's "send this guide to my phone": validation, STOP, dedupe, rate limits, and
the page staying within its 8 KB budget."""

from __future__ import annotations

import gzip
from datetime import datetime

import pytest
import sqlalchemy as sa

from app.budgets import HTML_BUDGET
from app.clock import DEFAULT_TZ, to_local, utcnow
from app.demo.procedures import PROCEDURES
from app.models import Message, PhonePreference
from app.sms.gsm import count_segments
from tests.support import sms_support
from tests.support.helpers import check_page, csrf_token

demo = sms_support.demo  # fixture shared by the SMS tests

SLUG = "dang-ky-khai-sinh"
URL = f"/vb/procedures/{SLUG}"


def _send(client, phone, slug=SLUG, token=None, ip="10.0.0.1"):
    token = token if token is not None else csrf_token(client, f"/vb/procedures/{slug}/sms")
    return client.post(f"/vb/procedures/{slug}/sms", data={"phone": phone, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": ip})


def guides_sent(db) -> list[Message]:
    return list(db.session.scalars(
        sa.select(Message).where(Message.kind == "guide").order_by(Message.id)))


def test_guide_links_to_the_form_page_and_carries_no_token(client, pages, demo):
    guide = pages.get("citizen.guide", slug=SLUG).page
    html = client.get(URL).get_data(as_text=True)
    assert f'href="{URL}/sms"' in html and "HD KS" in html and "0909 000 100" in html
    # No form, no CSRF token, no cookie on the guide: repeat visits stay cacheable (304).
    assert not guide.forms and "csrf_token" not in html
    first = client.get(URL)
    assert "Set-Cookie" not in first.headers
    assert client.get(URL, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_form_page_has_the_form_and_the_hint(client, pages, demo):
    page = pages.get("citizen.send_guide", slug=SLUG).page
    assert any(f.get("action") == f"{URL}/sms" for f in page.forms)
    html = client.get(f"{URL}/sms").get_data(as_text=True)
    assert "HD KS" in html and "0909 000 100" in html
    assert any(i.get("name") == "phone" and i.get("type") == "tel" for i in page.inputs)


@pytest.mark.parametrize("phone", ["0912 345 678", "0912345678", "+84912345678", "84912345678",
                                   "0912.345.678"])
def test_good_phone_queues_the_guide_and_redirects(client, db, demo, phone):
    r = _send(client, phone)
    assert r.status_code == 302 and r.headers["Location"].endswith(URL)
    [message] = guides_sent(db)
    assert (message.phone, message.status, message.direction) == ("+84912345678", "queued", "out")
    assert "(HD KS)" in message.body and "/vb/procedures/dang-ky-khai-sinh" in message.body
    assert count_segments(message.body).segments <= 3
    assert "Đã gửi hướng dẫn tới số" in client.get(URL).get_data(as_text=True)


def test_english_page_sends_english_unless_the_phone_chose(client, db, demo):
    client.get(URL + "?lang=en")
    _send(client, "0912345678")
    assert "?lang=en" in guides_sent(db)[0].body
    db.session.merge(PhonePreference(phone="+84987654321", lang="vi"))
    db.session.commit()
    _send(client, "0987654321")
    assert "?lang=en" not in guides_sent(db)[1].body


@pytest.mark.parametrize(
    "phone, error",
    [
        ("", "Nhập số điện thoại để nhận tin."),
        ("123", "Số điện thoại không đúng."),
        ("0912 345", "Số điện thoại không đúng."),
        ("abc xyz", "Số điện thoại không đúng."),
    ],
)
def test_bad_phone_rerenders_the_form_with_the_error(client, db, demo, phone, error):
    r = _send(client, phone)
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert error in html and f'value="{phone}"' in html
    assert 'aria-invalid="true"' in html
    assert "<h1>Gửi hướng dẫn về điện thoại</h1>" in html and "Đăng ký khai sinh" in html
    assert guides_sent(db) == []


def test_opted_out_phone_is_refused(client, db, demo):
    db.session.merge(PhonePreference(phone="+84912345678", opted_out=True))
    db.session.commit()
    r = _send(client, "0912345678")
    assert r.status_code == 400 and "ngừng nhận tin nhắn" in r.get_data(as_text=True)
    assert guides_sent(db) == []


def test_same_guide_to_same_phone_once_a_day(client, db, demo):
    _send(client, "0912345678")
    r = _send(client, "0912 345 678")
    assert r.status_code == 302
    assert len(guides_sent(db)) == 1
    assert "đã được gửi tới số" in client.get(URL).get_data(as_text=True)
    _send(client, "0912345678", slug="dang-ky-khai-tu")  # another guide is another text
    assert len(guides_sent(db)) == 2


def test_three_a_day_per_phone(client, db, demo):
    slugs = ["dang-ky-khai-sinh", "dang-ky-khai-tu", "dang-ky-ket-hon", "chung-thuc-chu-ky"]
    codes = [_send(client, "0912345678", slug=s, ip=f"10.0.0.{i}").status_code
             for i, s in enumerate(slugs)]
    assert codes == [302, 302, 302, 429]
    assert len(guides_sent(db)) == 3
    assert _send(client, "0987654321", slug=slugs[3]).status_code == 302  # another phone


def test_ten_an_hour_per_address(client, db, demo):
    codes = [_send(client, f"09123456{i:02d}", ip="10.9.9.9").status_code for i in range(11)]
    assert codes[:10] == [302] * 10 and codes[10] == 429
    assert _send(client, "0912345699", ip="10.9.9.8").status_code == 302


def test_csrf_missing_is_400(client, db, demo):
    assert _send(client, "0912345678", token="").status_code == 400
    assert guides_sent(db) == []


def test_unknown_guide_is_404(client, db, demo):
    token = csrf_token(client, f"{URL}/sms")
    r = client.post("/vb/procedures/khong-co/sms", data={"phone": "0912345678", "csrf_token": token})
    assert r.status_code == 404


def test_biggest_guide_page_with_an_error_stays_within_budget(client, db, demo):
    """The biggest demo guide, re-rendered with the form's error, still fits 8 KB gzipped."""
    sizes = {}
    for data in PROCEDURES:
        html = client.get(f"/vb/procedures/{data['slug']}").get_data()
        sizes[data["slug"]] = len(gzip.compress(html, 9))
    biggest = max(sizes, key=sizes.get)
    r = _send(client, "12" * 15, slug=biggest)
    assert r.status_code == 400
    assert len(gzip.compress(r.get_data(), 9)) <= HTML_BUDGET
    check_page(client.get(f"/vb/procedures/{biggest}"))


# -- when the text arrives: the worker's quiet hours ---------------------------------------------


@pytest.mark.parametrize(
    ("wall", "arrives"),
    [
        (datetime(2026, 12, 3, 22, 30), "07:00 04/12/2026"),  # evening: tomorrow morning
        (datetime(2026, 12, 4, 1, 15), "07:00 04/12/2026"),  # after midnight: this morning
    ],
)
def test_at_night_the_pages_say_when_the_guide_will_arrive(client, db, demo, clock, wall,
                                                           arrives):
    """The worker holds texts in quiet hours (21:00–07:00 by default): the form says so before
    anyone waits, the confirmation says when, and the worker indeed sends it at that time."""
    from app.sms.channels.console import ConsoleChannel
    from app.sms.worker.loop import run_once

    clock.local(wall)
    form = client.get(f"{URL}/sms").get_data(as_text=True)
    assert f"hướng dẫn sẽ đến lúc {arrives}" in form
    r = _send(client, "0912 345 678")
    assert r.status_code == 302
    page = client.get(URL).get_data(as_text=True)
    assert f"tin sẽ đến lúc {arrives}" in page and "trong ít phút" not in page
    [message] = guides_sent(db)
    stats = run_once("w1", channel=ConsoleChannel(), now=utcnow())
    assert (stats.deferred, stats.sent) == (1, 0)
    db.session.expire_all()
    local = to_local(db.session.get(Message, message.id).next_attempt_at, DEFAULT_TZ)
    assert f"{local:%H:%M %d/%m/%Y}" == arrives


def test_by_day_the_guide_arrives_within_minutes(client, db, demo, clock):
    from app.sms.channels.console import ConsoleChannel
    from app.sms.worker.loop import run_once

    clock.local(datetime(2026, 12, 3, 20, 59))  # the last minute before quiet hours
    form = client.get(f"{URL}/sms").get_data(as_text=True)
    assert "sẽ đến lúc" not in form
    _send(client, "0912 345 678")
    page = client.get(URL).get_data(as_text=True)
    assert "Tin nhắn sẽ đến trong ít phút." in page and "sẽ đến lúc" not in page
    assert run_once("w1", channel=ConsoleChannel(), now=utcnow()).sent == 1


def test_without_quiet_hours_the_guide_always_arrives_within_minutes(app, client, db, demo,
                                                                     clock, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_QUIET_START", "")
    monkeypatch.setitem(app.config, "SMS_QUIET_END", "")
    clock.local(datetime(2026, 12, 3, 23, 0))
    assert "sẽ đến lúc" not in client.get(f"{URL}/sms").get_data(as_text=True)
    _send(client, "0912 345 678")
    assert "Tin nhắn sẽ đến trong ít phút." in client.get(URL).get_data(as_text=True)
