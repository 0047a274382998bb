"""The one vocabulary (app/vocabulary.py): every code has its words, and office hours are written
one way for pages and one short way for SMS — both with the afternoon, and Saturday morning
where the office opens."""

from __future__ import annotations

from datetime import time
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from app import vocabulary as words
from app.models import CHANNELS, EXCEPTION_KINDS, FIELDS, ONLINE_MODES, ROLES, STATUSES
from app.sms.gsm import count_segments, is_gsm7, to_gsm7
from app.sms.inbound import status_reply
from tests.support import sms_support

english = sms_support.english  # the English SMS strings (fixture)


@pytest.mark.parametrize(
    ("codes", "labels"),
    [
        (STATUSES, words.STATUS_LABELS),
        (CHANNELS, words.CHANNEL_LABELS),
        (FIELDS, words.FIELD_LABELS),
        (ONLINE_MODES, words.ONLINE_LABELS),
        (ROLES, words.ROLE_LABELS),
        (EXCEPTION_KINDS, words.EXCEPTION_LABELS),
    ],
    ids=["statuses", "channels", "fields", "online modes", "roles", "roster exceptions"],
)
def test_every_code_has_words_and_no_word_lacks_a_code(codes, labels):
    assert tuple(labels) == tuple(codes)


def test_labels_are_translated_where_they_are_shown(app):
    with app.test_request_context("/"):
        assert str(words.status_label("ready")) == "Đã có kết quả, mời nhận"
        with force_locale("en"):
            assert str(words.status_label("ready")) != "Đã có kết quả, mời nhận"
            assert str(words.WEEKDAYS_SHORT[0]) == "Mon"
        assert words.status_label("no-such-status") == "no-such-status"
        assert words.channel_label("post") == words.CHANNEL_LABELS["post"]
        assert str(words.WEEKDAYS[6]) == "Chủ nhật" and str(words.WEEKDAYS_SHORT[6]) == "CN"


def office(am=(time(7, 0), time(11, 30)), pm=(time(13, 30), time(17, 0)), saturday=False):
    return SimpleNamespace(am_start=am[0], am_end=am[1], pm_start=pm[0], pm_end=pm[1],
                           open_saturday=saturday)


NONE = (None, None)
HOURS = [
    # office, SMS form, page form (Vietnamese)
    (office(), "T2-T6 7h-11h30, 13h30-17h", "Thứ Hai – Thứ Sáu: 7:00–11:30, 13:30–17:00"),
    (
        office(saturday=True),
        "T2-T6 7h-11h30, 13h30-17h; T7 7h-11h30",
        "Thứ Hai – Thứ Sáu: 7:00–11:30, 13:30–17:00; sáng Thứ Bảy: 7:00–11:30",
    ),
    (
        office(am=(time(7, 15), time(11, 5)), pm=(time(13, 0), time(16, 45))),
        "T2-T6 7h15-11h05, 13h-16h45",  # 11:05 is 11h05, never 11h5
        "Thứ Hai – Thứ Sáu: 7:15–11:05, 13:00–16:45",
    ),
    (office(pm=NONE), "T2-T6 7h-11h30", "Thứ Hai – Thứ Sáu: 7:00–11:30"),
    (
        office(pm=NONE, saturday=True),
        "T2-T6 7h-11h30; T7 7h-11h30",
        "Thứ Hai – Thứ Sáu: 7:00–11:30; sáng Thứ Bảy: 7:00–11:30",
    ),
    # Afternoon only: Saturday is a morning session, so it has nothing to add.
    (office(am=NONE, saturday=True), "T2-T6 13h30-17h", "Thứ Hai – Thứ Sáu: 13:30–17:00"),
    (office(am=(time(0, 0), time(12, 0)), pm=NONE), "T2-T6 0h-12h", "Thứ Hai – Thứ Sáu: 0:00–12:00"),
]
HOURS_IDS = ["default", "saturday", "minutes", "no afternoon", "no afternoon, saturday",
             "afternoon only", "midnight"]


@pytest.mark.parametrize(("hours", "short", "long"), HOURS, ids=HOURS_IDS)
def test_office_hours(app, hours, short, long):
    with app.test_request_context("/"):
        assert words.hours_short(hours) == short
        assert words.hours_long(hours) == long
        assert is_gsm7(short) and to_gsm7(short) == short  # nothing lost on the way to a phone


def test_office_hours_in_english(app):
    with app.test_request_context("/"), force_locale("en"):
        assert words.hours_short(office(saturday=True)) == "Mon-Fri 7h-11h30, 13h30-17h; Sat 7h-11h30"
        assert words.hours_long(office(saturday=True)) == (
            "Monday – Friday: 7:00–11:30, 13:30–17:00; Saturday morning: 7:00–11:30"
        )


def test_sms_hours_are_translated_when_the_text_is_rendered(app):
    """An SMS context is built in the request's language and rendered in the recipient's."""
    with app.test_request_context("/"):
        lazy = words.hours_sms(office(saturday=True))
        with force_locale("en"):
            assert str(lazy) == "Mon-Fri 7h-11h30, 13h30-17h; Sat 7h-11h30"
        assert str(lazy) == "T2-T6 7h-11h30, 13h30-17h; T7 7h-11h30"


@pytest.mark.parametrize("saturday", [False, True], ids=["weekdays", "saturday"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_ready_status_text_gives_the_whole_office_hours(db, make_office, make_dossier, english,
                                                          saturday, lang):
    """The status reply used to print 11:05 as "11h5" and drop the afternoon."""
    where = make_office(am_end=time(11, 5), open_saturday=saturday)
    dossier = make_dossier(status="ready", office=where)
    body = status_reply(where, dossier, dossier.code, dossier.phone, lang)
    assert ("Nhan tai xa" in body) == (lang == "vi"), body  # really in the reader's language
    assert "7h-11h05, 13h30-17h" in body, body
    assert (("T7 7h-11h05" in body) if lang == "vi" else ("Sat 7h-11h05" in body)) == saturday
    assert count_segments(body).segments == 1
