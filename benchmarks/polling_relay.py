"""The outbox relay without its fast path: it never LISTENs, so every event waits for
the next sweep (the relay's polling mode, as on databases without NOTIFY). The
notification benchmark runs it to measure the sweep path on its own.

Run with the profile's environment: ``python -m benchmarks.polling_relay``.
"""

import contextlib

import django


def main() -> None:
    django.setup()
    from django.conf import settings

    from kernel.outbox.relay import Relay

    class PollingRelay(Relay):
        @contextlib.contextmanager
        def _listener(self):
            yield None

    PollingRelay(sweep_seconds=settings.OUTBOX_SWEEP_SECONDS).run()


if __name__ == "__main__":
    main()
