"""The tour catalog: destinations, tours, departures and the seats held on them.

Other apps use it only through :mod:`apps.catalog.client`."""
