"""Build the emulator's own image (the top-level Dockerfile), which docker-compose.yml runs.

As the framework images are built (emulator/images.py, whose steps this reuses): FROM the local
debian:bookworm-slim (pulled, or bootstrapped from Debian's archive where no registry answers),
the emulator's dependencies from a wheelhouse the host's pip collects (it reaches PyPI where
containers may not), served on loopback to a `docker build --network host`. The image carries
the digest of what it is made from (the Dockerfile, .dockerignore, pyproject.toml, emulator/)
as a label: an image whose label matches is not built again (a fraction of a second).

Usage: .venv/bin/python scripts/build_emulator_image.py [-q]
"""

import argparse
import hashlib
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from docker.errors import ImageNotFound  # noqa: E402

from emulator.images import (RECIPE_LABEL, cache_dir, docker_client, ensure_debian_image, say,  # noqa: E402
                             serve_folder)

IMAGE = "sagemaker-emulator/emulator:latest"
SOURCES = ("Dockerfile", ".dockerignore", "pyproject.toml", "emulator")


def dependencies() -> list[str]:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]


def recipe_digest() -> str:
    """What the image is made of: the files the build reads (as .dockerignore lets them through)."""
    digest = hashlib.sha256()
    for source in SOURCES:
        root = REPO / source
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in paths:
            if "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_wheelhouse(requirements: list[str]) -> Path:
    """The dependencies' wheels, collected once per dependency list."""
    house = cache_dir() / f"emulator-wheelhouse-{hashlib.sha256(chr(10).join(requirements).encode()).hexdigest()[:12]}"
    if not (house / ".complete").exists():
        say(f"collecting the emulator's wheels into {house}")
        house.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check",
                        "-w", str(house), *requirements], check=True)
        (house / ".complete").touch()
    return house


def ensure_emulator_image(quiet: bool = False) -> str:
    """The emulator's image, built unless the one there is made of the same files."""
    client = docker_client()
    digest = recipe_digest()
    try:
        if client.images.get(IMAGE).labels.get(RECIPE_LABEL) == digest:
            say(f"{IMAGE} is up to date")
            return IMAGE
    except ImageNotFound:
        pass
    ensure_debian_image(client)
    house = ensure_wheelhouse(dependencies())
    say(f"building {IMAGE}")
    with serve_folder(house) as url:
        subprocess.run(["docker", "build", *(["-q"] if quiet else []), "--network", "host", "-t", IMAGE,
                        "--label", f"{RECIPE_LABEL}={digest}", "--build-arg", f"WHEELHOUSE_URL={url}", str(REPO)],
                       check=True, **({"stdout": subprocess.DEVNULL} if quiet else {}))
    say(f"image ready: {IMAGE}")
    return IMAGE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-q", "--quiet", action="store_true")
    ensure_emulator_image(parser.parse_args().quiet)


if __name__ == "__main__":
    main()
