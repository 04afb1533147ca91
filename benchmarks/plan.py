"""How much each scenario does: the full run, and a quick run for the smoke test."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    quick: bool
    tours: int
    departures_per_tour: int
    # Read path: each endpoint is measured in `read_rounds` rounds, in alternating order.
    read_concurrency: int
    read_seconds: float
    read_rounds: int
    read_warmup_seconds: float
    read_max_requests: int
    # Write path: closed-loop booking journeys (book, then pay).
    write_concurrency: int
    write_seconds: float
    write_warmup_seconds: float
    write_max_journeys: int
    # Hot departure: `hot_buyers` at once for `hot_seats` seats, `hot_runs` times.
    hot_runs: int
    hot_buyers: int
    hot_seats: int
    # Campaign: booking journeys for `campaign_seconds` without, then during, a read spike
    # of `campaign_spike_factor` x the browse load in all, from `campaign_spike_factor` x
    # `read_concurrency` connections, on the tours list and `campaign_tour_pages` tour
    # pages, through the gateway; 12: at least 10x served though pacing falls a little short.
    campaign_seconds: float
    campaign_spike_factor: int
    campaign_tour_pages: int
    # Notification latency: bookings paid one after another, per path.
    notify_bookings: int
    notify_timeout_seconds: float
    progress_every: float


FULL = Plan(
    quick=False,
    tours=10_000,
    departures_per_tour=10,
    read_concurrency=4,
    read_seconds=10,
    read_rounds=2,
    read_warmup_seconds=2,
    read_max_requests=50_000,
    write_concurrency=4,
    write_seconds=30,
    write_warmup_seconds=3,
    write_max_journeys=20_000,
    hot_runs=20,
    hot_buyers=500,
    hot_seats=50,
    campaign_seconds=15,
    campaign_spike_factor=12,
    campaign_tour_pages=20,
    notify_bookings=40,
    notify_timeout_seconds=30,
    progress_every=5,
)

QUICK = Plan(
    quick=True,
    tours=1_000,
    departures_per_tour=10,
    read_concurrency=2,
    read_seconds=1.5,
    read_rounds=1,
    read_warmup_seconds=0.3,
    read_max_requests=2_000,
    write_concurrency=2,
    write_seconds=2,
    write_warmup_seconds=0.3,
    write_max_journeys=200,
    hot_runs=2,
    hot_buyers=100,
    hot_seats=10,
    campaign_seconds=2,
    campaign_spike_factor=12,
    campaign_tour_pages=5,
    notify_bookings=3,
    notify_timeout_seconds=20,
    progress_every=1,
)
