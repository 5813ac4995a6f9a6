"""A local SMTP server that keeps what it receives: the network boundary for outgoing mail."""

from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from townsquare.embedded import free_port


@dataclass
class _Refusal:
    reply: str
    times: int | None  # None: every time


@dataclass
class _Handler:
    messages: list[EmailMessage] = field(default_factory=list)
    refusals: dict[str, _Refusal] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        with self.lock:
            refusal = self.refusals.get(address.lower())
            if refusal is not None and refusal.times != 0:
                if refusal.times is not None:
                    refusal.times -= 1
                self.refused.append(address)
                return refusal.reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

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

    def refuse(self, address: str, *, times: int | None = None, permanent: bool = True) -> None:
        """Refuses mail to this address at RCPT: a 550 (bad mailbox) or, not permanent, a 450
        (try later); `times` refusals, then accepted again, or every time when None."""
        reply = (
            "550 5.1.1 Mailbox unavailable"
            if permanent
            else "450 4.2.1 Mailbox busy, try again later"
        )
        with self.handler.lock:
            self.handler.refusals[address.lower()] = _Refusal(reply, times)

    def refusals_of(self, address: str) -> int:
        """How many times mail to this address has been refused."""
        with self.handler.lock:
            return sum(1 for refused in self.handler.refused if refused.lower() == address.lower())

    def to(self, address: str) -> list[EmailMessage]:
        """The messages accepted for this address."""
        return [m for m in list(self.messages) if address.lower() in str(m["To"]).lower()]


def smtp_sink_start() -> SmtpSink:
    handler = _Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return SmtpSink(controller, handler)
