"""Build the images that compose, the chart and their tests run.

    python -m deploy.images.build           # the app image, tourism-booking:dev (make image)
    python -m deploy.images.build --local   # the same on local stand-ins, without a registry

The app image comes from the repository's ``Dockerfile`` on the official Python image.
Where no container registry can be reached, nothing can be pulled: then a Debian base is
made with ``debootstrap`` (cached under ``~/.cache/tourism``, keyed on its inputs) and
imported, and stand-ins for Python, PostgreSQL, RabbitMQ, nginx and Mailpit are built on
it from Debian packages (``deploy/images/<name>/``). They carry names of their own
(``tourism-local/...``) so that no official tag is ever overwritten. docs/deploy.md.
"""

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IMAGES = Path(__file__).resolve().parent
APP_IMAGE = "tourism-booking:dev"
PYTHON_IMAGE = "python:3.11-slim-bookworm"

# The compose variable of each third-party image, its official default (compose.yaml) and
# the local stand-in built from deploy/images/<directory>.
THIRD_PARTY = {
    "POSTGRES_IMAGE": ("postgres:17-bookworm", "tourism-local/postgres:15", "postgres"),
    "RABBITMQ_IMAGE": (
        "rabbitmq:4.1-management",
        "tourism-local/rabbitmq:3.10-management",
        "rabbitmq",
    ),
    "MAILPIT_IMAGE": ("axllent/mailpit:v1.27", "tourism-local/mailpit:1", "mailsink"),
    "NGINX_IMAGE": ("nginx:1.27-alpine", "tourism-local/nginx:1.22", "nginx"),
}
LOCAL_PYTHON = "tourism-local/python:3.11-bookworm"
LOCAL_BASE = "tourism-local/debian:bookworm"
SUITE, VARIANT = "bookworm", "minbase"
MIRROR = os.environ.get("DEBIAN_MIRROR", "http://deb.debian.org/debian")
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tourism"
BUILD = ("build", "--network", "host")


def say(message: str) -> None:
    print(f"images: {message}", file=sys.stderr, flush=True)


def docker(*args: str, capture: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["docker", *args],
        check=True,
        text=True,
        capture_output=capture,
        # BuildKit fetches a Dockerfile frontend from a registry; the classic builder needs none.
        env=os.environ | {"DOCKER_BUILDKIT": "0"},
    )


def exists(image: str) -> bool:
    found = subprocess.run(["docker", "image", "inspect", image], capture_output=True, check=False)
    return found.returncode == 0


def pullable(image: str) -> bool:
    """Present here, or a registry hands it over."""
    if exists(image):
        return True
    say(f"pulling {image}")
    return subprocess.run(["docker", "pull", "--quiet", image], check=False).returncode == 0


def debootstrap_tarball() -> Path:
    """A minimal Debian root filesystem as a tar, made once per suite, variant and mirror."""
    key = hashlib.sha256(f"{SUITE} {VARIANT} {MIRROR}".encode()).hexdigest()[:12]
    tarball = CACHE / f"debian-{SUITE}-{VARIANT}-{key}.tar"
    if tarball.exists():
        return tarball
    if shutil.which("debootstrap") is None:
        raise SystemExit("debootstrap is missing: apt-get install -y debootstrap")
    CACHE.mkdir(parents=True, exist_ok=True)
    say(f"debootstrap {VARIANT} {SUITE} from {MIRROR} (once; cached in {tarball})")
    with tempfile.TemporaryDirectory(dir=CACHE) as work:
        rootfs = Path(work) / "rootfs"
        subprocess.run(
            ["debootstrap", f"--variant={VARIANT}", SUITE, str(rootfs), MIRROR],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        partial = Path(work) / "rootfs.tar"
        subprocess.run(["tar", "-C", str(rootfs), "-cf", str(partial), "."], check=True)
        partial.rename(tarball)
    return tarball


def local_base() -> None:
    if not exists(LOCAL_BASE):
        say(f"importing {LOCAL_BASE}")
        docker("import", str(debootstrap_tarball()), LOCAL_BASE, capture=True)


def local_standin(directory: str, tag: str) -> None:
    """Build deploy/images/<directory> with the host's CA bundle beside its Dockerfile."""
    say(f"building {tag}")
    with tempfile.TemporaryDirectory() as context:
        shutil.copytree(IMAGES / directory, context, dirs_exist_ok=True)
        shutil.copy(CA_BUNDLE, Path(context) / CA_BUNDLE.name)
        docker(*BUILD, "--build-arg", f"BASE_IMAGE={LOCAL_BASE}", "-t", tag, context)


def app_image(*, python_image: str = PYTHON_IMAGE, tag: str = APP_IMAGE) -> str:
    say(f"building {tag} on {python_image}")
    docker(*BUILD, "--build-arg", f"PYTHON_IMAGE={python_image}", "-t", tag, str(ROOT))
    return tag


def build(*, local: bool | None = None) -> dict[str, str]:
    """Build what is missing; the compose variables naming the images to run.

    ``local=None`` picks: the official images when they are here or can be pulled, the
    local stand-ins otherwise.
    """
    if local is None:
        officials = [PYTHON_IMAGE, *(official for official, _, _ in THIRD_PARTY.values())]
        local = not all(pullable(image) for image in officials)
    if not local:
        return {"TOURISM_IMAGE": app_image()} | {
            variable: official for variable, (official, _, _) in THIRD_PARTY.items()
        }
    local_base()
    local_standin("python", LOCAL_PYTHON)
    chosen = {"TOURISM_IMAGE": app_image(python_image=LOCAL_PYTHON)}
    for variable, (_, standin, directory) in THIRD_PARTY.items():
        local_standin(directory, standin)
        chosen[variable] = standin
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--local", action="store_true", default=None, help="build on local stand-ins"
    )
    for variable, image in build(local=parser.parse_args().local).items():
        print(f"{variable}={image}")


if __name__ == "__main__":
    main()
