"""Shared pieces of the SMS tests: the demo commune, an English catalogue for the SMS bodies,
and Twilio-signed webhook posts (signed by the SDK's real ``RequestValidator``)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from app.models import Dossier
from app.sms.channels.twilio_channel import compute_signature

TOKEN = "test-twilio-auth-token"
EN_PO = Path(__file__).parent / "data" / "sms_en.po"
_sids = itertools.count(1)


def new_sid() -> str:
    return f"SM{next(_sids):032x}"


@pytest.fixture
def demo(db):
    """The demo commune's office (VB) with the 11 procedures of app/demo/procedures.py (no
    dossiers: loading those takes seconds and these tests make their own)."""
    from app.demo import loader

    office = loader._office()
    loader._procedures(office)
    db.session.commit()
    return office


@pytest.fixture
def english(app, tmp_path, monkeypatch):
    """Install the English SMS strings (tests/support/data/sms_en.po) on top of the real catalogue.

    The committed en catalogue is filled by the lead; until then English bodies would render
    the Vietnamese source, and an English segment test would test nothing.
    """
    with EN_PO.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    target = tmp_path / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    config = app.extensions["babel"]
    monkeypatch.setattr(config, "translation_directories",
                        [str(tmp_path), *config.translation_directories])
    domain = config.instance.domain_instance
    monkeypatch.setattr(domain, "cache", {})
    yield
    domain.cache.clear()


def signed(url: str, params: dict, token: str = TOKEN) -> dict:
    return {"X-Twilio-Signature": compute_signature(token, url, params)}


def post_signed(client, path: str, params: dict, *, base: str = "http://localhost",
                sign_url: str | None = None, token: str = TOKEN, headers: dict | None = None):
    """POST ``params`` to ``path`` as Twilio would, signed over ``sign_url`` (default: the URL
    the test client requests)."""
    url = sign_url or base + path
    all_headers = signed(url, params, token) | (headers or {})
    return client.post(path, data=params, headers=all_headers, base_url=base)


def inbound_params(body: str, sender: str = "+84912345678", to: str = "+84909000100",
                   sid: str | None = None) -> dict:
    sid = sid or new_sid()
    return {
        "AccountSid": "AC" + "0" * 32,
        "ApiVersion": "2010-04-01",
        "From": sender,
        "To": to,
        "Body": body,
        "MessageSid": sid,
        "SmsSid": sid,
        "NumMedia": "0",
    }


def dossier_in(db, status: str) -> Dossier | None:
    return db.session.scalars(
        sa.select(Dossier).where(Dossier.status == status).order_by(Dossier.id)
    ).first()
