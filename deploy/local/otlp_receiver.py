"""An OTLP/HTTP trace receiver: what a collector is to the processes, on loopback (the
end-to-end trace test reads what it receives; ``make bench`` sends it every span of a run
with full sampling).

It accepts ``POST /v1/traces`` with protobuf bodies (gzip or not), decodes them with
``opentelemetry-proto``'s ``ExportTraceServiceRequest`` and keeps every span with the
``service.name`` of the process that sent it; ``GET /spans`` answers how many it received.

``python -m deploy.local.otlp_receiver --port PORT`` runs one in a process of its own that
only counts what it decodes, as a collector runs apart from the processes it serves:
``make bench`` uses it so that the receiver does not share the load generator's
interpreter."""

import argparse
import gzip
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Status

PROTOBUF = "application/x-protobuf"


@dataclass(frozen=True)
class Span:
    service: str
    name: str
    trace_id: str
    span_id: str
    parent_id: str  # "" for a trace's root
    attributes: dict
    error: bool  # its status is ERROR


def _value(value: AnyValue):
    return getattr(value, value.WhichOneof("value")) if value.WhichOneof("value") else None


def _spans(request: ExportTraceServiceRequest) -> list[Span]:
    found = []
    for resource_spans in request.resource_spans:
        resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                found.append(
                    Span(
                        service=resource.get("service.name", ""),
                        name=span.name,
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_id=span.parent_span_id.hex(),
                        attributes={a.key: _value(a.value) for a in span.attributes},
                        error=span.status.code == Status.STATUS_CODE_ERROR,
                    )
                )
    return found


class OtlpReceiver:
    """On ``port`` (any free one by default); ``keep=False`` only counts the spans."""

    def __init__(self, port: int = 0, *, keep: bool = True):
        self.spans: list[Span] = []
        self.received = 0
        self._keep = keep
        self._arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path != "/spans":
                    self.send_error(404)
                    return
                answer = json.dumps({"spans": receiver.received}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path != "/v1/traces" or self.headers.get("Content-Type") != PROTOBUF:
                    self.send_error(404 if self.path != "/v1/traces" else 415)
                    return
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                receiver._receive(ExportTraceServiceRequest.FromString(body))
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", PROTOBUF)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def _receive(self, request: ExportTraceServiceRequest) -> None:
        with self._arrived:
            self.received += sum(
                len(scope.spans) for spans in request.resource_spans for scope in spans.scope_spans
            )
            if self._keep:
                self.spans.extend(_spans(request))
            self._arrived.notify_all()

    def wait_for(self, found, timeout: float = 60):
        """The first true answer of ``found(spans)`` as spans arrive; AssertionError after
        ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while not (answer := found(list(self.spans))):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"not received in {timeout} s; spans: {self.spans}")
                self._arrived.wait(left)
            return answer

    def __enter__(self) -> "OtlpReceiver":
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="An OTLP/HTTP receiver that counts spans.")
    parser.add_argument("--port", type=int, required=True)
    receiver = OtlpReceiver(parser.parse_args(argv).port, keep=False)
    print(f"receiving OTLP/HTTP at {receiver.url}", flush=True)
    receiver._server.serve_forever()


if __name__ == "__main__":
    main()
