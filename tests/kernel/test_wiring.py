"""Each app's wiring names processes the platform runs and tasks that exist, on its queue."""

import pytest

from config import celery_app, environment


@pytest.mark.parametrize("app", environment.APPS)
def test_an_apps_wiring_names_known_processes_and_its_own_registered_tasks(app):
    wiring = environment.wiring(app)
    assert "web" in wiring.processes
    assert set(wiring.processes) <= set(environment.COMMANDS)
    scheduled = {entry["task"] for entry in wiring.beat_schedule.values()}
    celery_app.loader.import_default_modules()  # every installed app's tasks
    for task in scheduled | set(wiring.consumes.values()):
        assert task.startswith(f"{app}."), f"{task} would not run on the {app} queue"
        assert task in celery_app.tasks, f"{task} is not a task"
