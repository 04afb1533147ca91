from kernel.schema import remote_apps


def remote_admin_sections(request) -> dict:
    """The admin sections of apps served by other processes, for the admin index: one
    staff login (the shared identity database) opens them all through the gateway."""
    return {
        "remote_admin_sections": [
            {"name": app.title(), "url": f"/admin/{app}/"} for app in remote_apps()
        ]
    }
