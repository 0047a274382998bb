"""SMS: inbound commands, replies, the outbox and its worker, the channels. The provider
webhooks (the ``sms`` blueprint) live in ``app.sms.webhooks``; the CLI in ``app.sms.cli``."""
