"""The booking journey as an API client walks it, against any base URL or test client."""

import uuid


def new_key() -> str:
    return str(uuid.uuid4())


def booking_request(departure_id: int, seats: int = 2, email: str = "ada@example.com") -> dict:
    return {
        "departure_id": departure_id,
        "seats": seats,
        "customer": {"name": "Ada Lovelace", "email": email},
    }
