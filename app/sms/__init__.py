"""SMS: inbound commands, replies, provider webhooks, the outbox and its worker."""

from flask import Blueprint

bp = Blueprint("sms", __name__)

from app.sms import android_webhooks, public_budget, webhooks  # noqa: E402,F401
