"""An SMTP server on loopback that accepts every message and notes when it arrived."""

import email
import email.policy
import re
import threading
import time

from aiosmtpd.controller import Controller

from .processes import free_port

REFERENCE = re.compile(r"TB-[A-Z0-9]{6}")


class SmtpSink:
    """Records, per booking reference found in a message, when it was first accepted
    (``time.perf_counter()``, the clock the load generator uses)."""

    def __init__(self):
        self.port = free_port()
        self.accepted: dict[str, float] = {}
        self.messages = 0
        self._arrived = threading.Condition()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self):
        self._controller.start()
        return self

    def __exit__(self, *exc_info):
        self._controller.stop()

    async def handle_DATA(self, server, session, envelope):
        arrived = time.perf_counter()
        with self._arrived:
            self.messages += 1
            for reference in set(REFERENCE.findall(_text(envelope.content))):
                self.accepted.setdefault(reference, arrived)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

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


def _text(content: bytes) -> str:
    """Subject and every text part, decoded (bodies may be quoted-printable or base64)."""
    message = email.message_from_bytes(content, policy=email.policy.default)
    parts = [str(message["subject"] or "")]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)
