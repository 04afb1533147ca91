#!/usr/bin/python3
"""A mail sink that answers like Mailpit for what the tests read.

/mailpit          serve SMTP on 1025 and HTTP on 8025
/mailpit readyz   exit 0 when the HTTP side answers (the compose healthcheck)
"""

import email
import email.policy
import json
import sys
import threading
import urllib.request
import uuid
from email.utils import getaddresses
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

MESSAGES: list[dict] = []
LOCK = threading.Lock()


def addresses(header: str | None) -> list[dict]:
    return [{"Name": name, "Address": address} for name, address in getaddresses([header or ""])]


class Sink:
    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        summary = {
            "ID": uuid.uuid4().hex,
            "Subject": str(message["Subject"] or ""),
            "From": (addresses(message["From"]) or [{}])[0],
            "To": addresses(message["To"]),
        }
        with LOCK:
            MESSAGES.insert(0, summary)  # newest first, as Mailpit lists them
        return "250 Message accepted"


class Api(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/readyz":
            self.reply(200, {})
        elif self.path.split("?")[0] == "/api/v1/messages":
            with LOCK:
                listed = list(MESSAGES)
            self.reply(200, {"total": len(listed), "messages": listed})
        else:
            self.reply(404, {"error": "not found"})

    def reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main() -> None:
    if sys.argv[1:] == ["readyz"]:
        urllib.request.urlopen("http://127.0.0.1:8025/readyz", timeout=3)
        return
    Controller(Sink(), hostname="0.0.0.0", port=1025).start()
    ThreadingHTTPServer(("0.0.0.0", 8025), Api).serve_forever()


if __name__ == "__main__":
    main()
