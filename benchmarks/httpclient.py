"""A lean asyncio HTTP/1.1 client for load generation.

It does only what the benchmark needs (one request at a time per connection, keep-alive
when the server allows it, Content-Length, chunked or close-delimited bodies) so that the
load generator spends as little of the machine's CPU as possible on itself.
"""

import asyncio
import contextlib
import json
from dataclasses import dataclass


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


class Connection:
    """One client connection to ``host:port``; reconnects when the server closed it."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, *, json_body=None, headers: dict | None = None
    ) -> Response:
        body = b"" if json_body is None else json.dumps(json_body).encode()
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Accept: application/json",
        ]
        if json_body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        if self._writer is None:
            await self._open()
        try:
            self._writer.write(payload)
            response = await self._read_response()
        except BaseException:
            await self.close()
            raise
        if response.headers.get("connection", "").lower() == "close":
            await self.close()
        return response

    async def _open(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    async def _read_response(self) -> Response:
        status_line = await self._reader.readline()
        if not status_line:
            raise ConnectionResetError("the server closed the connection")
        status = int(status_line.split(b" ", 2)[1])
        headers = {}
        while (line := await self._reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await self._reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._read_chunked()
        else:
            body = await self._reader.read()
            headers["connection"] = "close"
        return Response(status, headers, body)

    async def _read_chunked(self) -> bytes:
        chunks = []
        while size := int((await self._reader.readline()).split(b";")[0], 16):
            chunks.append(await self._reader.readexactly(size))
            await self._reader.readline()
        while await self._reader.readline() not in (b"\r\n", b""):
            pass  # trailers
        return b"".join(chunks)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
        self._reader = self._writer = None
