"""How the platform runs payments (kernel/wiring.py)."""

from kernel.wiring import Wiring

WIRING = Wiring(
    processes=("web",),
    env=frozenset({"PAYMENT_GATEWAY", "PAYMENT_GATEWAY_API_KEY"}),
)
