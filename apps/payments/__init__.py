"""Payments: charges and refunds through a payment gateway, each made once per key.

Other apps use it only through :mod:`apps.payments.client`."""
