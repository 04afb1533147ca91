"""Debian's ``wrk``, the native load generator of the read scenarios (``make wrk`` installs
it): closed loop, ``connections`` keep-alive connections on one thread, each sending its
next request when the previous answer arrived, cycling through a list of paths.

The Python generator (``loadgen.py``) saturates around 1,600 requests per second on this
kind of machine, below what a Django view or a cache can serve; ``wrk`` does not, so each
read figure is the server's, up to the harness ceiling reported beside it.
"""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

SCRIPT = """
local paths = {%(paths)s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
%(delay)s
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %%d, "duration_us": %%d, "non_2xx": %%d, "socket_errors": %%d, '
    .. '"p50_us": %%d, "p95_us": %%d, "p99_us": %%d, "max_us": %%d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def missing() -> str | None:
    """None when wrk is installed, else why the read scenarios cannot run."""
    return None if shutil.which("wrk") else "wrk is not installed (make wrk)"


class Wrk:
    """One wrk run, started in the background; ``result()`` waits for its figures. With a
    ``rate`` (requests per second in all), each connection waits ``connections / rate``
    seconds after each answer before its next request, so the load is offered at about that
    rate (a little less: the answer's own time adds to the wait) instead of as fast as the
    server answers."""

    def __init__(
        self,
        base_url: str,
        paths: list[str],
        *,
        connections: int,
        seconds: float,
        rate: float = 0,
    ):
        self.connections, self.seconds = connections, seconds
        self.script = Path(tempfile.mkstemp(prefix="bench-wrk-", suffix=".lua")[1])
        lua_paths = ", ".join(json.dumps(path) for path in paths)
        delay = ""
        if rate:
            delay = f"delay = function() return {max(1, round(connections * 1000 / rate))} end"
        self.script.write_text(SCRIPT % {"paths": lua_paths, "delay": delay})
        self.popen = subprocess.Popen(  # noqa: S603 - arguments built by this harness
            [
                shutil.which("wrk") or "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "10s",
                "-s",
                str(self.script),
                base_url,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def result(self) -> dict:
        """Throughput of answers below 400 and latency percentiles, as the read path's."""
        output, _ = self.popen.communicate(timeout=self.seconds + 60)
        self.script.unlink(missing_ok=True)
        line = next((ln for ln in output.splitlines() if ln.startswith("WRK_RESULT ")), None)
        if line is None:
            raise RuntimeError(f"wrk gave no result:\n{output[-2000:]}")
        raw = json.loads(line.removeprefix("WRK_RESULT "))
        seconds = raw["duration_us"] / 1e6
        errors = raw["non_2xx"] + raw["socket_errors"]
        ok = raw["requests"] - raw["non_2xx"]
        return {
            "requests": ok,
            "errors": errors,
            "req_per_s": round(ok / seconds, 2) if seconds else 0.0,
            **{f"{p}_ms": round(raw[f"{p}_us"] / 1000, 2) for p in ("p50", "p95", "p99", "max")},
            "concurrency": self.connections,
            "seconds": round(seconds, 2),
        }


def measure(base_url: str, paths: list[str], *, connections: int, seconds: float) -> dict:
    return Wrk(base_url, paths, connections=connections, seconds=seconds).result()
