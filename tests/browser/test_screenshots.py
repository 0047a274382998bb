"""Screenshots of the key pages as a citizen's phone shows them (360×640, one screen), written
to ``docs/screenshots/`` for the README.

Only ``make screenshots`` writes them (it sets ``MOTCUA_SCREENSHOTS=write``); otherwise this
test is skipped. The demo data is dated relative to today, so dates in the pictures move: if
every test run rewrote the committed PNGs, ``make test`` would leave ``git status`` dirty.
"""

from __future__ import annotations

import os
import struct

import pytest

from tests.browser.conftest import ROOT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        os.environ.get("MOTCUA_SCREENSHOTS") != "write",
        reason="screenshots are written only by `make screenshots` (MOTCUA_SCREENSHOTS=write)",
    ),
]

OUT = ROOT / "docs" / "screenshots"
SIZE = {"width": 360, "height": 640}


def _pages(live) -> list[tuple[str, str, bool]]:
    """(file name, path, needs an officer session)."""
    code, last4, _name = live.dossier("processing")
    ready, _l4, _n = live.dossier("ready")
    return [
        ("home", "/vb/", False),
        ("procedures", "/vb/procedures", False),
        ("guide", f"/vb/procedures/{live.slug()}", False),
        ("status", f"/vb/status?code={code}&digits={last4}", False),
        ("contacts", "/vb/contacts", False),
        ("feedback", "/vb/feedback", False),
        ("officer-login", "/officer/login", False),
        ("officer-dossier", f"/officer/dossiers/{ready}", True),
        ("slip", f"/officer/dossiers/{ready}/slip", True),
    ]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_key_pages_at_360x640(new_context, admin_state, live):
    OUT.mkdir(parents=True, exist_ok=True)
    citizen = new_context(viewport=SIZE, device_scale_factor=1)
    officer = new_context(viewport=SIZE, device_scale_factor=1, storage_state=admin_state)
    written = []
    for name, path, signed_in in _pages(live):
        page = (officer if signed_in else citizen).new_page()
        response = page.goto(path)
        assert response is not None and response.status == 200, (path, response and response.status)
        data = page.screenshot(path=str(OUT / f"{name}.png"), type="png", full_page=False)
        assert _png_size(data) == (360, 640)
        assert len(data) < 150_000, f"{name}.png is {len(data)} bytes"
        written.append(name)
        page.close()
    assert len(written) == 9
