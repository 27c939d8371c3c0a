"""Building the framework image, on a machine with a registry or with none.

Steps, each skipped when its result exists: the base image (pulled, or bootstrapped from
Debian's archive with debootstrap when no registry answers), a wheelhouse of the image's
Python packages made with the host's pip (which reaches PyPI where containers may not),
and a `docker build` that installs from that wheelhouse served on loopback.
"""

import contextlib
import functools
import hashlib
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import docker
from docker.errors import DockerException, ImageNotFound

from .execution.framework_image import PYTORCH_IMAGE, torch_pair

REPO_ROOT = Path(__file__).resolve().parent.parent
PYTORCH_CONTEXT = REPO_ROOT / "containers" / "pytorch"
BASE_IMAGE = "debian:bookworm-slim"
RECIPE_LABEL = "sagemaker-emulator.recipe"

TOOLKITS = ("sagemaker-training==5.1.4", "sagemaker-pytorch-training==3.0.0",
            "sagemaker-inference==1.10.1", "sagemaker-pytorch-inference==2.0.25", "gunicorn==27.0.1")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "sagemaker-emulator"


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def _run(cmd: list[str], **kwargs) -> None:
    subprocess.run(cmd, check=True, **kwargs)


def ensure_base_image(client: docker.DockerClient) -> None:
    try:
        client.images.get(BASE_IMAGE)
        return
    except ImageNotFound:
        pass
    say(f"pulling {BASE_IMAGE}")
    if subprocess.run(["docker", "pull", BASE_IMAGE], capture_output=True).returncode == 0:
        return
    say(f"no registry answered: bootstrapping {BASE_IMAGE} from Debian's archive (~1 min)")
    if not shutil.which("debootstrap"):
        if os.geteuid() == 0 and shutil.which("apt-get"):
            _run(["apt-get", "install", "-y", "-qq", "debootstrap"], stdout=subprocess.DEVNULL)
        else:
            raise SystemExit("debootstrap is needed to make the base image offline: apt-get install debootstrap")
    mirror = _debian_mirror()
    with tempfile.TemporaryDirectory(prefix="smemu-rootfs-") as root:
        _run(["debootstrap", "--variant=minbase", "bookworm", root, mirror], stdout=subprocess.DEVNULL)
        # Debian's slim image leaves out docs and apt lists; so does this one.
        for path in ("var/lib/apt/lists", "usr/share/doc", "usr/share/man", "var/cache/apt"):
            shutil.rmtree(Path(root) / path, ignore_errors=True)
        tar = subprocess.Popen(["tar", "-C", root, "-c", "."], stdout=subprocess.PIPE)
        _run(["docker", "import", "-", BASE_IMAGE], stdin=tar.stdout, stdout=subprocess.DEVNULL)
        tar.wait()


def _debian_mirror() -> str:
    """The Debian mirror apt already uses here (deb822 `URIs:` or one-line `deb` entries)."""
    for source in [Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list")]:
        if not source.exists():
            continue
        for line in source.read_text().splitlines():
            words = line.split()
            if len(words) >= 2 and words[0] in ("URIs:", "deb"):
                url = words[1] if words[0] == "URIs:" else next((w for w in words[1:] if "://" in w), "")
                if url.startswith("http") and "security" not in url:
                    return url
    return "http://deb.debian.org/debian"


def _requirements() -> list[str]:
    torch, vision = torch_pair()
    return [f"torch=={torch}", f"torchvision=={vision}", *TOOLKITS]


def ensure_wheelhouse() -> Path:
    reqs = _requirements()
    key = hashlib.sha256("\n".join(reqs).encode()).hexdigest()[:12]
    house = cache_dir() / f"wheelhouse-{key}"
    marker = house / ".complete"
    if marker.exists():
        return house
    say(f"collecting wheels into {house} ({', '.join(reqs)})")
    house.mkdir(parents=True, exist_ok=True)
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check",
          "-w", str(house), *reqs])
    marker.touch()
    return house


@contextlib.contextmanager
def serve_folder(folder: Path):
    """Serve on a port fixed by the folder's name where it is free: the URL is a build
    argument, and a new URL would void Docker's cache of every layer that installs."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    port = 40000 + int(hashlib.sha256(folder.name.encode()).hexdigest(), 16) % 10000
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def recipe_digest() -> str:
    """What the image is made from: its package pins and every file of its build context."""
    digest = hashlib.sha256("\n".join(_requirements()).encode())
    for path in sorted(p for p in PYTORCH_CONTEXT.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(PYTORCH_CONTEXT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def build_pytorch_image(quiet: bool = False) -> str:
    try:
        client = docker.from_env(timeout=600)
        client.ping()
    except DockerException as exc:
        raise SystemExit(f"no Docker engine answers ({exc}); run scripts/docker-engine.sh") from exc
    recipe = recipe_digest()
    try:
        if client.images.get(PYTORCH_IMAGE).labels.get(RECIPE_LABEL) == recipe:
            say(f"{PYTORCH_IMAGE} is up to date")
            return PYTORCH_IMAGE
    except ImageNotFound:
        pass
    ensure_base_image(client)
    house = ensure_wheelhouse()
    torch, vision = _requirements()[0].split("==")[1], _requirements()[1].split("==")[1]
    say(f"building {PYTORCH_IMAGE}")
    with serve_folder(house) as url:
        cmd = ["docker", "build", "--network", "host", "-t", PYTORCH_IMAGE, "--label", f"{RECIPE_LABEL}={recipe}",
               "--build-arg", f"WHEELHOUSE_URL={url}",
               "--build-arg", f"TORCH_VERSION={torch}",
               "--build-arg", f"TORCHVISION_VERSION={vision}",
               str(PYTORCH_CONTEXT)]
        if quiet:
            cmd.insert(2, "-q")
        _run(cmd)
    say(f"image ready: {PYTORCH_IMAGE}")
    return PYTORCH_IMAGE
