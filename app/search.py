"""Accent-insensitive search: what a farmer types without marks must find the guide."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower-case, strip every combining mark (after NFD) and map đ→d: "Đăng ký" → "dang ky"."""
    decomposed = unicodedata.normalize("NFD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.replace("đ", "d").replace("Đ", "D").lower().split())
