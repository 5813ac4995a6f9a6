"""A local SMTP server that keeps what it receives: the network boundary for outgoing mail."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from townsquare.embedded import free_port


@dataclass
class _Handler:
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"


@dataclass
class SmtpSink:
    controller: Controller
    handler: _Handler

    @property
    def port(self) -> int:
        return int(self.controller.port)

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages


def smtp_sink_start() -> SmtpSink:
    handler = _Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return SmtpSink(controller, handler)
