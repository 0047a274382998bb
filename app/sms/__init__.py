"""SMS: inbound commands, replies, provider webhooks, the outbox and its worker."""

from flask import Blueprint

bp = Blueprint("sms", __name__)
