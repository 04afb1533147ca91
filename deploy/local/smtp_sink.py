"""An SMTP server on loopback that keeps every message it accepts: the mail server of the
tests and of the benchmark (``EMAIL_URL=sink.url``).

It notes when each booking reference (``TB-XXXXXX``) first arrived, on
``time.perf_counter()``'s clock, and can misbehave on purpose: refuse some recipients with
a temporary 451 (a mail server having trouble), or stall every session until it resumes:
at EHLO (a client stuck mid-conversation), before it accepts a message's DATA, or at
``REPLY``, after it kept the message but before it answers (the moment the email is the
server's while the client does not know yet).
"""

import asyncio
import email
import email.policy
import re
import threading
import time

from aiosmtpd.controller import Controller

from deploy.local.processes import free_port

REFERENCE = re.compile(r"TB-[A-Z0-9]{6}")


class SmtpSink:
    def __init__(self):
        self.messages: list[email.message.Message] = []
        self.accepted: dict[str, float] = {}  # booking reference: when it first arrived
        self.refused: set[str] = set()
        self.stalled_sessions = 0
        self._stage = "EHLO"
        self._open = threading.Event()
        self._open.set()
        self._arrived = threading.Condition()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> "SmtpSink":
        self._controller.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._open.set()
        self._controller.stop()

    def stall(self, stage: str = "EHLO") -> None:
        self._stage = stage
        self._open.clear()

    def resume(self) -> None:
        self._open.set()

    def for_event(self, event_id) -> list:
        return [m for m in self.messages if m["X-Event-ID"] == str(event_id)]

    def wait_for(self, references: set[str], timeout: float) -> dict[str, float]:
        """Arrival times of those references that arrived within ``timeout`` seconds."""
        deadline = time.perf_counter() + timeout
        with self._arrived:
            while not references <= self.accepted.keys():
                left = deadline - time.perf_counter()
                if left <= 0:
                    break
                self._arrived.wait(left)
            return {ref: self.accepted[ref] for ref in references if ref in self.accepted}

    async def _wait_if_stalled(self, stage: str) -> None:
        if self._stage == stage and not self._open.is_set():
            self.stalled_sessions += 1
            while not self._open.is_set():
                await asyncio.sleep(0.05)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        await self._wait_if_stalled("EHLO")
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "451 4.3.0 Mailbox temporarily unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await self._wait_if_stalled("DATA")
        arrived = time.perf_counter()
        with self._arrived:
            self.messages.append(email.message_from_bytes(envelope.content))
            for reference in set(REFERENCE.findall(_text(envelope.content))):
                self.accepted.setdefault(reference, arrived)
            self._arrived.notify_all()
        await self._wait_if_stalled("REPLY")
        return "250 Message accepted for delivery"


def _text(content: bytes) -> str:
    """Subject and every text part, decoded (bodies may be quoted-printable or base64)."""
    message = email.message_from_bytes(content, policy=email.policy.default)
    parts = [str(message["subject"] or "")]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)
