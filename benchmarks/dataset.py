"""A realistic catalog, bulk-loaded with COPY: tens of thousands of tours and hundreds of
thousands of departures in seconds.

Run it by hand with ``python -m benchmarks.dataset DATABASE_URL TOURS`` on a migrated
database. The data comes from a fixed seed, so every run reads the same catalog.
"""

import datetime
import random
import sys
from dataclasses import dataclass
from decimal import Decimal

import psycopg

COUNTRIES = {
    "Portugal": ["Lisbon", "Porto", "Sintra", "Madeira", "Algarve", "Douro Valley"],
    "Spain": ["Seville", "Barcelona", "Granada", "Mallorca", "Bilbao", "Valencia"],
    "Italy": ["Florence", "Amalfi Coast", "Rome", "Venice", "Sicily", "Dolomites"],
    "Greece": ["Santorini", "Crete", "Athens", "Naxos", "Meteora", "Corfu"],
    "Iceland": ["Reykjavik", "Westfjords", "Snaefellsnes"],
    "Morocco": ["Marrakech", "Fez", "Atlas Mountains", "Essaouira"],
    "Japan": ["Kyoto", "Tokyo", "Hokkaido", "Okinawa", "Nara"],
    "Peru": ["Cusco", "Lima", "Arequipa", "Sacred Valley"],
    "Norway": ["Lofoten", "Bergen", "Tromso"],
    "Croatia": ["Split", "Dubrovnik", "Istria"],
    "Vietnam": ["Hanoi", "Hoi An", "Ha Long Bay"],
    "Mexico": ["Oaxaca", "Yucatan", "Mexico City"],
}
CATEGORIES = [
    "Food & wine",
    "Hiking",
    "Culture",
    "Beach",
    "Adventure",
    "Photography",
    "Cycling",
    "Wildlife",
]
ADJECTIVES = ["Classic", "Hidden", "Slow", "Grand", "Little", "Wild", "Golden", "Secret"]
THEMES = ["week", "escape", "trail", "journey", "weekend", "discovery", "loop", "retreat"]
HOT_TOUR_SLUG = "benchmark-hot-departures"
WRITE_TOUR_SLUG = "benchmark-write-path"
WRITE_CAPACITY = 1_000_000  # the write path never runs out of seats


@dataclass(frozen=True)
class Catalog:
    category_slugs: list[str]
    destination_slugs: list[str]
    tour_slugs: list[str]  # a sample, for detail pages
    write_departure_ids: list[int]


def slugify(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def load(url: str, *, tours: int, departures_per_tour: int, seed: int = 2026) -> Catalog:
    """Fill an empty, migrated catalog: ``tours`` tours with ``departures_per_tour``
    upcoming departures each, plus a tour whose departures the write path books."""
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
    today = datetime.date.today()
    now = datetime.datetime.now(datetime.UTC)
    with psycopg.connect(url) as conn:
        categories = _insert(conn, "catalog_category", ["name", "slug"], _categories())
        destinations = _insert(
            conn, "catalog_destination", ["name", "slug", "country", "description"], _places()
        )
        tour_columns = [
            "slug",
            "title",
            "summary",
            "description",
            "destination_id",
            "category_id",
            "duration_days",
            "price_from",
            "currency",
            "image_url",
            "is_published",
            "created_at",
            "updated_at",
        ]
        rows = _tours(rng, tours, list(destinations.items()), list(categories.values()), now)
        with conn.cursor().copy(f"COPY catalog_tour ({', '.join(tour_columns)}) FROM STDIN") as cp:
            for row in rows:
                cp.write_row(row)
        tour_prices = conn.execute("SELECT id, price_from FROM catalog_tour ORDER BY id").fetchall()
        departure_columns = "tour_id, starts_on, capacity, price, seats_held, seats_booked"
        with conn.cursor().copy(f"COPY catalog_departure ({departure_columns}) FROM STDIN") as cp:
            for tour_id, price in tour_prices:
                for row in _departures(rng, tour_id, price, departures_per_tour, today):
                    cp.write_row(row)
        write_tour = _special_tour(conn, WRITE_TOUR_SLUG, "Benchmark write path", now)
        write_ids = [
            conn.execute(
                "INSERT INTO catalog_departure (tour_id, starts_on, capacity, price, seats_held, "
                "seats_booked) VALUES (%s, %s, %s, 100, 0, 0) RETURNING id",
                [write_tour, today + datetime.timedelta(days=30 + n), WRITE_CAPACITY],
            ).fetchone()[0]
            for n in range(50)
        ]
        sample = conn.execute(
            "SELECT slug FROM catalog_tour WHERE is_published ORDER BY random() LIMIT 500"
        ).fetchall()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return Catalog(
        category_slugs=list(categories),
        destination_slugs=list(destinations),
        tour_slugs=[slug for (slug,) in sample],
        write_departure_ids=write_ids,
    )


def add_hot_departure(url: str, *, seats: int) -> int:
    """A fresh departure with exactly ``seats`` seats, for one hot-departure run."""
    now = datetime.datetime.now(datetime.UTC)
    with psycopg.connect(url) as conn:
        tour = _special_tour(conn, HOT_TOUR_SLUG, "Benchmark hot departures", now)
        return conn.execute(
            "INSERT INTO catalog_departure (tour_id, starts_on, capacity, price, seats_held, "
            "seats_booked) VALUES (%s, %s, %s, 100, 0, 0) RETURNING id",
            [tour, datetime.date.today() + datetime.timedelta(days=60), seats],
        ).fetchone()[0]


def _special_tour(conn, slug: str, title: str, now) -> int:
    existing = conn.execute("SELECT id FROM catalog_tour WHERE slug = %s", [slug]).fetchone()
    if existing:
        return existing[0]
    destination, category = conn.execute(
        "SELECT (SELECT min(id) FROM catalog_destination), (SELECT min(id) FROM catalog_category)"
    ).fetchone()
    return conn.execute(
        "INSERT INTO catalog_tour (slug, title, summary, description, destination_id, "
        "category_id, duration_days, price_from, currency, image_url, is_published, "
        "created_at, updated_at) VALUES (%s, %s, %s, '', %s, %s, 1, 100, 'EUR', '', true, "
        "%s, %s) RETURNING id",
        [slug, title, title, destination, category, now, now],
    ).fetchone()[0]


def _insert(conn, table: str, columns: list[str], rows: list[tuple]) -> dict[str, int]:
    """Insert rows whose second column is the slug; returns slug -> id."""
    placeholders = ", ".join(["%s"] * len(columns))
    ids = {}
    for row in rows:
        ids[row[1]] = conn.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders}) RETURNING id",  # noqa: S608 - table and columns are constants of this module
            row,
        ).fetchone()[0]
    return ids


def _categories() -> list[tuple]:
    return [(name, slugify(name)) for name in CATEGORIES]


def _places() -> list[tuple]:
    return [
        (place, slugify(place), country, f"Small-group tours in {place}, {country}.")
        for country, places in COUNTRIES.items()
        for place in places
    ]


def _tours(rng, count, destinations, category_ids, now):
    for number in range(1, count + 1):
        slug, destination_id = rng.choice(destinations)
        place = slug.replace("-", " ").title()
        adjective, theme = rng.choice(ADJECTIVES), rng.choice(THEMES)
        title = f"{adjective} {place} {theme} {number}"
        duration = rng.choice([1, 2, 3, 4, 5, 7, 8, 10, 14])
        yield (
            slugify(title),
            title,
            f"A {theme} in {place} with a local guide, {duration} day(s).",
            f"{duration} day(s) in {place}: small group, local guides, hand-picked stays.",
            destination_id,
            rng.choice(category_ids),
            duration,
            Decimal(rng.randrange(90, 320, 5) * duration),
            "EUR",
            f"https://images.example.com/tours/{number}.jpg",
            rng.random() < 0.95,
            now,
            now,
        )


def _departures(rng, tour_id, price, count, today):
    for number in range(count):
        starts_on = today + datetime.timedelta(days=1 + number * 30 + rng.randrange(0, 28))
        capacity = rng.choice([8, 12, 16, 20])
        booked = capacity if rng.random() < 0.15 else rng.randrange(0, capacity)
        yield (tour_id, starts_on, capacity, price + rng.randrange(0, 4) * 25, 0, booked)


if __name__ == "__main__":
    catalog = load(sys.argv[1], tours=int(sys.argv[2]), departures_per_tour=10)
    print(f"Loaded {sys.argv[2]} tours; {len(catalog.write_departure_ids)} write-path departures.")
