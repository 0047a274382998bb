"""A commune office: the unit everything else belongs to (multi-office from day one)."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import DEFAULT_TIMEZONE
from app.extensions import db


class Office(db.Model):
    __tablename__ = "office"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(5), unique=True)  # dossier code prefix, "VB"
    name: Mapped[str] = mapped_column(sa.String(120))
    name_en: Mapped[str] = mapped_column(sa.String(120), default="")
    address: Mapped[str] = mapped_column(sa.String(255), default="")
    phone: Mapped[str] = mapped_column(sa.String(20), default="")  # E.164
    sms_number: Mapped[str] = mapped_column(sa.String(20), default="")  # E.164, texts go here
    timezone: Mapped[str] = mapped_column(sa.String(40), default=DEFAULT_TIMEZONE)
    # Office hours, Monday to Friday (plus Saturday morning where ``open_saturday``).
    am_start: Mapped[time] = mapped_column(sa.Time, default=time(7, 0))
    am_end: Mapped[time] = mapped_column(sa.Time, default=time(11, 30))
    pm_start: Mapped[time] = mapped_column(sa.Time, default=time(13, 30))
    pm_end: Mapped[time] = mapped_column(sa.Time, default=time(17, 0))
    open_saturday: Mapped[bool] = mapped_column(default=False)
    portal_url: Mapped[str] = mapped_column(
        sa.String(255), default="https://dichvucong.gov.vn/p/home/dvc-trang-chu.html"
    )
    sms_channel: Mapped[str] = mapped_column(sa.String(20), default="")  # "" = app default
    # Names before the 2025 mergers, one per line: the province home finds a commune by them.
    former_names: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # A host name of its own (``vinhbuu.example.vn``): that host shows this commune's pages.
    hostname: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    map_url: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    # Per-commune SMS gateway settings, Fernet-encrypted JSON (never shown back in full).
    sms_settings: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    @property
    def slug(self) -> str:
        """The commune's address on the site: ``/vb/``."""
        return self.code.lower()

    @property
    def former_name_list(self) -> list[str]:
        return [n.strip() for n in (self.former_names or "").splitlines() if n.strip()]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def __repr__(self) -> str:
        return f"<Office {self.code}>"
