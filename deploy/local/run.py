"""``make worker``, ``make beat``, ``make relay``: one process of the table, in the foreground.

``python -m deploy.local.run <kind>`` runs ``config.environment.process(profile, kind)``'s
command, the one compose and the chart run, for the profile in ``DJANGO_SETTINGS_MODULE``
(default: the monolith) with this shell's environment; it becomes that program (exec), so
Ctrl-C and signals reach it directly.
"""

import os
import sys

from config.environment import COMMANDS, PROFILES, process
from deploy.local.topology import local_argv


def main(argv: list[str]) -> None:
    if len(argv) != 1 or argv[0] not in COMMANDS:
        sys.exit(f"usage: python -m deploy.local.run {{{','.join(COMMANDS)}}}")
    settings = os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.monolith")
    profile = settings.removeprefix("config.settings.")
    if profile not in PROFILES:
        sys.exit(f"DJANGO_SETTINGS_MODULE={settings} is none of the profiles {', '.join(PROFILES)}")
    try:
        command = local_argv(process(profile, argv[0]).argv)
    except ValueError as exc:
        sys.exit(str(exc))
    os.execv(command[0], command)  # noqa: S606 - the table's command, no shell


if __name__ == "__main__":
    main(sys.argv[1:])
