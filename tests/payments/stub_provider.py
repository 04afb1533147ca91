"""A local stand-in for the third-party payment provider (docs/payment-provider.md),
served over real HTTP on 127.0.0.1.

It keeps charges and refunds by ``Idempotency-Key`` like the real provider: the same key
returns the same answer and is counted once. Tests can make it slow (to time the client
out *after* the charge was made) or make it fail with 500.
"""

import contextlib
import json
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY = "sk_test_stub"
DECLINES = {"tok_declined": "card_declined", "tok_insufficient_funds": "insufficient_funds"}


@dataclass
class Answer:
    status: int
    body: dict


@dataclass
class ProviderState:
    charges: dict[str, tuple[dict, Answer]] = field(default_factory=dict)
    refunds: dict[str, tuple[dict, Answer]] = field(default_factory=dict)
    delays: list[float] = field(default_factory=list)
    failures: int = 0
    connections: set[tuple[str, int]] = field(default_factory=set)  # client (address, port)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def charged(self, charge_id: str) -> dict | None:
        for _, answer in self.charges.values():
            if answer.body.get("id") == charge_id:
                return answer.body
        return None


class Handler(BaseHTTPRequestHandler):
    server: "StubProvider"
    protocol_version = "HTTP/1.1"  # keeps connections alive, as real providers do

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def do_POST(self):
        state = self.server.state
        # Read first, whatever the answer: the connection stays open for the next request.
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        with state.lock:
            state.connections.add(self.client_address)
            fail = state.failures > 0
            state.failures -= fail
            delay = state.delays.pop(0) if state.delays else 0.0
        if fail:
            return self.answer(Answer(500, {"error": {"code": "internal_error"}}))
        if self.headers.get("Authorization") != f"Bearer {API_KEY}":
            return self.answer(Answer(401, {"error": {"code": "invalid_api_key"}}))
        key = self.headers.get("Idempotency-Key", "")
        if not key:
            return self.answer(Answer(400, {"error": {"code": "idempotency_key_required"}}))
        routes = {
            "/v1/charges": (state.charges, self.charge),
            "/v1/refunds": (state.refunds, self.refund),
        }
        if self.path not in routes:
            return self.answer(Answer(404, {"error": {"code": "not_found"}}))
        records, make = routes[self.path]
        with state.lock:
            if key in records:
                request, answer = records[key]
                if request != body:
                    answer = Answer(422, {"error": {"code": "idempotency_key_reused"}})
            else:
                answer = make(body)
                records[key] = (body, answer)
        time.sleep(delay)  # the work is done; only the answer is late
        self.answer(answer)

    def charge(self, body: dict) -> Answer:
        charge_id = f"ch_{secrets.token_hex(8)}"
        if body["source"] == "tok_visa":
            return Answer(200, {"id": charge_id, "status": "succeeded", **body})
        code = DECLINES.get(body["source"], "invalid_payment_method")
        return Answer(402, {"error": {"type": "card_error", "code": code, "charge": charge_id}})

    def refund(self, body: dict) -> Answer:
        charge = self.server.state.charged(body["charge"])
        if charge is None or charge["status"] != "succeeded":
            return Answer(404, {"error": {"code": "no_such_charge"}})
        if body["amount"] > charge["amount"]:
            return Answer(400, {"error": {"code": "amount_too_large"}})
        return Answer(200, {"id": f"re_{secrets.token_hex(8)}", "status": "succeeded", **body})

    def answer(self, answer: Answer):
        payload = json.dumps(answer.body).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
            self.wfile.write(payload)


class StubProvider(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *, port: int = 0, state: ProviderState | None = None):
        super().__init__(("127.0.0.1", port), Handler)
        self.state = state or ProviderState()
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self.accepted: list[socket.socket] = []

    def get_request(self):
        connection, address = super().get_request()
        self.accepted.append(connection)
        return connection, address

    def restarted(self) -> "StubProvider":
        """Stop as a provider's process that exits does (every connection closed, kept-alive
        ones included) and start again on the same port, with the same records."""
        self.__exit__()
        for connection in self.accepted:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        return StubProvider(port=self.server_address[1], state=self.state)

    def delay_next(self, count: int, *, seconds: float) -> None:
        with self.state.lock:
            self.state.delays.extend([seconds] * count)

    def fail_next(self, count: int) -> None:
        with self.state.lock:
            self.state.failures += count

    @property
    def charge_count(self) -> int:
        return len(self.state.charges)

    @property
    def refund_count(self) -> int:
        return len(self.state.refunds)

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()
