"""The demo commune shows the desk's papers (issue 15, item 9): overdue dossiers with an apology
and a new date, one refused, one waiting for more papers, one online dossier waiting for
acknowledgement, and every slip lists the papers received."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from app import papers
from app.clock import office_today
from app.models import Dossier, DossierEvent, Office


def test_demo_has_every_paper(runner, db, clock):
    clock.local(datetime(2026, 12, 3, 10, 0))
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    # Every commune of the demo province has each paper; Vĩnh Bửu's are checked here.
    vb = db.session.scalars(sa.select(Office).where(Office.code == "VB")).one()
    kinds = [k for (k,) in db.session.execute(
        sa.select(DossierEvent.kind).join(Dossier).where(Dossier.office_id == vb.id))]
    assert kinds.count("apology") >= 2
    assert kinds.count("supplement") == 1 and kinds.count("refusal") == 1
    dossiers = db.session.scalars(sa.select(Dossier).where(Dossier.office_id == vb.id)).all()
    office = vb
    today = office_today(office)
    apologised = [d for d in dossiers if d.promised_on]
    assert apologised and all(d.is_overdue(today) and d.current_due > today for d in apologised)
    assert papers.overdue_without_apology(office, today), "the warning has something to show"
    waiting = papers.waiting_ack(office)
    assert len(waiting) >= 1 and 0 < papers.ack_hours_left(waiting[-1]) <= 8
    receipts = [d.events[0].data for d in dossiers if d.events[0].kind == "receipt"]
    # Every dossier but the one filed online just now (its papers came as files).
    assert len(receipts) == len(dossiers) - 1 and any(r["papers"] for r in receipts)
