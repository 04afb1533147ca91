"""Which failures mean "a piece of infrastructure is away for now, try again later" rather
than "this request or message is wrong".

HTTP requests answer them with a 503 problem (kernel.problems); Celery tasks retry them
with backoff instead of dead-lettering the message (config.celery); the outbox relay waits
and reconnects (kernel.outbox.relay).
"""

import smtplib

import django.db
import psycopg

# Connection refused or lost, and psycopg_pool's PoolTimeout (an OperationalError): raised
# by psycopg directly, or wrapped by Django's database layer. A write to a frozen app's
# tables is one too (kernel.write_guard): it is refused for the few seconds of the move.
DATABASE_UNAVAILABLE = (
    django.db.OperationalError,
    django.db.InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)

# The mail server cannot be reached or hung up. A refused recipient or message (also an
# SMTPException) is not an outage: it says something about this message.
MAIL_SERVER_UNAVAILABLE = (
    ConnectionError,
    TimeoutError,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
)

TRANSIENT = DATABASE_UNAVAILABLE + MAIL_SERVER_UNAVAILABLE
