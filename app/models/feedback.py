"""Citizens' opinions: a rating 1–5 and/or a comment, from the web or SMS."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow

COMMENT_MAX = 1000


class Feedback(db.Model):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    rating: Mapped[int | None] = mapped_column()
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    dossier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dossier.id", ondelete="SET NULL"))
    procedure_id: Mapped[int | None] = mapped_column(sa.ForeignKey("procedure.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(sa.String(10), default="web")  # web | sms
    phone: Mapped[str] = mapped_column(sa.String(20), default="")  # only for SMS feedback
    # The rating is proven to come from the dossier's phone: a ``DG`` text from that phone, or
    # the web form with the code and the right phone digits. Only these count in any index
    # (app.metrics); anything else is kept for the officers to read, and counted nowhere.
    proven: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    handled_at: Mapped[datetime | None] = mapped_column()
    handled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("officer.id"))
    handled_note: Mapped[str] = mapped_column(sa.Text, default="")

    dossier = relationship("Dossier")
    procedure = relationship("Procedure")
    handled_by = relationship("Officer")
