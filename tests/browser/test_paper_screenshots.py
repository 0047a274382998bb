"""The desk's papers (issue 15) printed by Chromium to ``docs/screenshots/paper-*.pdf``: the
receipt and appointment slip (A5, A4, 58 mm), the request for more papers, the refusal, the
apology with a new date, and the process control sheet — from the demo commune's dossiers.

Only ``make paper-screenshots`` writes them (``MOTCUA_PAPER_SCREENSHOTS=write``); otherwise
this test is skipped, so ``make test`` never dirties ``git status``.
"""

from __future__ import annotations

import os

import pytest

from tests.browser.conftest import ROOT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        os.environ.get("MOTCUA_PAPER_SCREENSHOTS") != "write",
        reason="papers are printed only by `make paper-screenshots`",
    ),
]

OUT = ROOT / "docs" / "screenshots"


def _papers(live) -> list[tuple[str, str]]:
    """(file name, path) of every paper, from the demo data."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import Dossier, DossierEvent

    def find():
        out = []
        first = db.session.scalars(
            sa.select(Dossier).join(DossierEvent, DossierEvent.dossier_id == Dossier.id)
            .where(DossierEvent.kind == "receipt").order_by(Dossier.id.desc())).first()
        for fmt in ("a5", "a4", "58mm"):
            out.append((f"paper-receipt-{fmt}", f"/officer/dossiers/{first.code}/slip?format={fmt}"))
        for kind in ("supplement", "refusal", "apology"):
            event = db.session.scalars(sa.select(DossierEvent).where(DossierEvent.kind == kind)
                                       .order_by(DossierEvent.id)).first()
            assert event is not None, f"the demo has no {kind}"
            code = event.dossier.code
            out.append((f"paper-{kind}", f"/officer/dossiers/{code}/papers/{event.id}?format=a5"))
            if kind == "apology":
                out.append(("paper-control-sheet", f"/officer/dossiers/{code}/control?format=a4"))
        return out

    return live.query(find)


def test_every_paper_prints(new_context, admin_state, live):
    OUT.mkdir(parents=True, exist_ok=True)
    officer = new_context(viewport={"width": 800, "height": 1100}, storage_state=admin_state)
    written = []
    for name, path in _papers(live):
        page = officer.new_page()
        response = page.goto(path)
        assert response is not None and response.status == 200, (path, response and response.status)
        page.emulate_media(media="print")
        data = page.pdf(path=str(OUT / f"{name}.pdf"), prefer_css_page_size=True,
                        print_background=False)
        assert data[:5] == b"%PDF-" and len(data) < 400_000, name
        page.screenshot(path=str(OUT / f"{name}.png"), type="png", full_page=True)
        written.append(name)
        page.close()
    assert len(written) == 7, written
