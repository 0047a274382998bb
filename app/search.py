"""Accent-insensitive search: what a farmer types without marks must find the guide."""

from __future__ import annotations

from app.text import strip_marks


def fold(text: str) -> str:
    """Lower-case, strip every mark and map đ→d (``app.text.strip_marks``), collapse spaces:
    "Đăng  ký" → "dang ky"."""
    return " ".join(strip_marks(text or "").lower().split())
