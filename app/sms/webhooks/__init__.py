"""The ``sms`` blueprint: the providers' webhooks (``/sms/twilio``, ``/sms/android``). Views
only: they check the provider's signature, then hand over to the SMS domain modules."""

from flask import Blueprint

bp = Blueprint("sms", __name__)

# The view modules register their routes on ``bp`` when imported, so they come after it.
from app.sms.webhooks import android, twilio  # noqa: E402,F401
