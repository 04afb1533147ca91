"""The image: hadolint is clean, and the image is built the way the deployments expect."""

import subprocess

from tests.deploy.tools import ROOT, binary


def test_hadolint_passes_on_the_image_and_the_local_stand_ins():
    dockerfiles = [
        ROOT / "Dockerfile",
        ROOT / "frontend" / "Dockerfile",
        *sorted((ROOT / "deploy" / "images").glob("*/Dockerfile")),
    ]
    result = subprocess.run(
        [binary("hadolint"), "--no-color", *map(str, dockerfiles)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_runs_as_a_numeric_non_root_user_behind_an_init_process():
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    assert "USER 10001:10001" in lines  # runAsNonRoot needs a numeric user
    assert 'ENTRYPOINT ["dumb-init", "--"]' in lines
    assert 'CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]' in lines


def test_the_storefront_image_serves_as_an_unprivileged_numeric_user():
    lines = (ROOT / "frontend" / "Dockerfile").read_text().splitlines()
    assert "USER 101:101" in lines  # runAsNonRoot needs a numeric user
    assert "EXPOSE 8080" in lines
