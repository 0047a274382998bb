"""Pytest fixtures for the local provider stand-ins.

Kept out of conftest so that conftest (or a single test module) can pull them in with
``from tests.support.fakes.fixtures import fake_twilio, make_twilio_channel`` or
``pytest_plugins = ["tests.support.fakes.fixtures"]``; nothing here talks to the internet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from app.sms.channels.twilio_channel import TwilioChannel
from tests.support.fakes.twilio_server import DEFAULT_SENDER, FakeTwilio


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    """A running :class:`FakeTwilio` on 127.0.0.1, fresh for each test."""
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture
def make_twilio_channel(fake_twilio: FakeTwilio) -> Callable[..., TwilioChannel]:
    """Build a real :class:`TwilioChannel` pointed at ``fake_twilio``.

    Keyword arguments override the defaults (the fake's credentials, ``from_=DEFAULT_SENDER``,
    ``timeout=5.0``); pass ``from_=None, messaging_service_sid="MG…"`` to use a service.
    """

    def make(**overrides: Any) -> TwilioChannel:
        kwargs: dict[str, Any] = {
            "account_sid": fake_twilio.account_sid,
            "auth_token": fake_twilio.auth_token,
            "from_": DEFAULT_SENDER,
            "api_base_url": fake_twilio.base_url,
            "timeout": 5.0,
        }
        kwargs.update(overrides)
        return TwilioChannel(**kwargs)

    return make
