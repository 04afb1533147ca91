"""Build the images that compose, the chart and their tests run.

    python -m deploy.images.build           # the app image, tourism-booking:dev (make image)
    python -m deploy.images.build --local   # the same on local stand-ins, without a registry

The app image comes from the repository's ``Dockerfile`` on the official Python image, the
storefront's from ``frontend/Dockerfile`` on the official Node and unprivileged nginx images.
Where no container registry can be reached, nothing can be pulled: then a Debian base is
made with ``debootstrap`` (cached under ``~/.cache/tourism``, keyed on its inputs) and
imported, and stand-ins for Python, PostgreSQL, RabbitMQ, Redis, nginx and Mailpit are
built on it from Debian packages (``deploy/images/<name>/``); Node.js, which Debian has too
old for the shop's build, is copied from this machine's own ``nodejs`` package. They carry
names of their own (``tourism-local/...``) so that no official tag is ever overwritten.
Docker's build cache makes a build whose inputs did not change a quick no-op.
docs/deploy.md.
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
FRONTEND_IMAGE = "tourism-frontend:dev"
PYTHON_IMAGE = "python:3.11-slim-bookworm"

# The compose variable of each third-party image, its official default (compose.yaml and
# frontend/Dockerfile) and the local stand-in built from deploy/images/<directory>, in
# build order.
THIRD_PARTY = {
    "POSTGRES_IMAGE": ("postgres:17-bookworm", "tourism-local/postgres:15", "postgres"),
    "RABBITMQ_IMAGE": (
        "rabbitmq:4.1-management",
        "tourism-local/rabbitmq:3.10-management",
        "rabbitmq",
    ),
    "MAILPIT_IMAGE": ("axllent/mailpit:v1.27", "tourism-local/mailpit:1", "mailsink"),
    "REDIS_IMAGE": ("redis:7.4-alpine", "tourism-local/redis:7.0", "redis"),
    "NGINX_IMAGE": ("nginx:1.27-alpine", "tourism-local/nginx:1.22", "nginx"),
    "NGINX_UNPRIVILEGED_IMAGE": (
        "nginxinc/nginx-unprivileged:1.27-alpine",
        "tourism-local/nginx-unprivileged:1.22",
        "nginx-unprivileged",
    ),
    "NODE_IMAGE": ("node:20-bookworm-slim", "tourism-local/node:20", "node"),
}
# Stand-ins built on another stand-in rather than on the Debian base.
STANDIN_BASES = {"nginx-unprivileged": THIRD_PARTY["NGINX_IMAGE"][1]}
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


def node_tarball(context: Path) -> None:
    """This machine's Node.js (Debian's own is too old): the commands its ``nodejs`` package
    installed in /usr/bin and the bundled npm and corepack, as they are now."""
    listed = subprocess.run(["dpkg", "-L", "nodejs"], capture_output=True, text=True, check=False)
    if listed.returncode != 0:
        raise SystemExit("Node.js 20.19+ is needed from a `nodejs` package (docs/deploy.md)")
    commands = [line[1:] for line in listed.stdout.splitlines() if line.startswith("/usr/bin/")]
    tar = ["tar", "-C", "/", "-cf", str(context / "node.tar")]
    subprocess.run([*tar, *commands, "usr/lib/node_modules"], check=True)


def local_standin(directory: str, tag: str) -> None:
    """Build deploy/images/<directory> with the host's CA bundle beside its Dockerfile."""
    say(f"building {tag}")
    with tempfile.TemporaryDirectory() as context:
        shutil.copytree(IMAGES / directory, context, dirs_exist_ok=True)
        shutil.copy(CA_BUNDLE, Path(context) / CA_BUNDLE.name)
        if directory == "node":
            node_tarball(Path(context))
        base = STANDIN_BASES.get(directory, LOCAL_BASE)
        docker(*BUILD, "--build-arg", f"BASE_IMAGE={base}", "-t", tag, context)


def app_image(*, python_image: str = PYTHON_IMAGE, tag: str = APP_IMAGE) -> str:
    say(f"building {tag} on {python_image}")
    docker(*BUILD, "--build-arg", f"PYTHON_IMAGE={python_image}", "-t", tag, str(ROOT))
    return tag


def frontend_image(*, images: dict[str, str], tag: str = FRONTEND_IMAGE) -> str:
    """The storefront on the given NODE_IMAGE and NGINX_UNPRIVILEGED_IMAGE."""
    node, nginx = images["NODE_IMAGE"], images["NGINX_UNPRIVILEGED_IMAGE"]
    say(f"building {tag} on {node} and {nginx}")
    arguments = ("--build-arg", f"NODE_IMAGE={node}", "--build-arg", f"NGINX_IMAGE={nginx}")
    docker(*BUILD, *arguments, "-f", str(ROOT / "frontend" / "Dockerfile"), "-t", tag, str(ROOT))
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
        chosen = {variable: official for variable, (official, _, _) in THIRD_PARTY.items()}
        chosen["TOURISM_IMAGE"] = app_image()
    else:
        local_base()
        local_standin("python", LOCAL_PYTHON)
        chosen = {"TOURISM_IMAGE": app_image(python_image=LOCAL_PYTHON)}
        for variable, (_, standin, directory) in THIRD_PARTY.items():
            local_standin(directory, standin)
            chosen[variable] = standin
    return chosen | {"TOURISM_FRONTEND_IMAGE": frontend_image(images=chosen)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--local", action="store_true", default=None, help="build on local stand-ins"
    )
    for variable, image in build(local=parser.parse_args().local).items():
        print(f"{variable}={image}")


if __name__ == "__main__":
    main()
