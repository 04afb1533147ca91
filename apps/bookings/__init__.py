"""Bookings: seats held for a customer, paid, confirmed, cancelled or expired.

Talks to the catalog and payments apps only through their published clients."""
