"""Routes identity (users, groups, sessions, admin log, API tokens, login attempts) to the shared
``identity`` database. Installed only in services mode, where that database differs
from the service's own."""

IDENTITY_APP_LABELS = frozenset({"auth", "contenttypes", "sessions", "admin", "authtoken", "axes"})
IDENTITY_DB = "identity"


class IdentityRouter:
    def _db(self, model):
        return IDENTITY_DB if model._meta.app_label in IDENTITY_APP_LABELS else None

    def db_for_read(self, model, **hints):
        return self._db(model)

    def db_for_write(self, model, **hints):
        return self._db(model)

    def allow_relation(self, obj1, obj2, **hints):
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return (db == IDENTITY_DB) == (app_label in IDENTITY_APP_LABELS)
