"""Building the framework images, on a machine with a registry or with none.

The images from containers/: a base (Debian's python3 in a venv, the scientific stack, the
SageMaker toolkits, `serve`) and the PyTorch, scikit-learn, XGBoost, Model Monitor and notebook
(JupyterLab) images FROM it, so they share its layers. Steps, each skipped when its result
exists: the Debian image (pulled, or bootstrapped from Debian's archive with debootstrap when
no registry answers), one wheelhouse of every image's Python packages made with the host's pip
(which reaches PyPI where containers may not), and a `docker build` per image that installs
from that wheelhouse served on loopback. Each image carries the digest of its recipe (its pins, its files, its
parent's digest) as a label: an image whose label matches is not built again.
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
from dataclasses import dataclass
from pathlib import Path

import docker
from docker.errors import DockerException, ImageNotFound

from .execution.framework_image import (BASE_IMAGE, MODEL_MONITOR_IMAGE, PYTORCH_IMAGE, SKLEARN_IMAGE, SKLEARN_VERSION,
                                        XGBOOST_IMAGE, XGBOOST_VERSION, torch_pair)
from .sagemaker.images import JUPYTERLAB_VERSION, NOTEBOOK_IMAGE, NOTEBOOK_SDK_VERSION

REPO_ROOT = Path(__file__).resolve().parent.parent
CONTAINERS = REPO_ROOT / "containers"
DEBIAN_IMAGE = "debian:bookworm-slim"
RECIPE_LABEL = "sagemaker-emulator.recipe"


@dataclass(frozen=True)
class Recipe:
    """One image: its tag, its folder under containers/ (Dockerfile and files), the pins it
    installs, and the image it is FROM."""
    image: str
    folder: str
    requirements: tuple[str, ...] = ()
    parent: "Recipe | None" = None

    def digest(self) -> str:
        digest = hashlib.sha256((self.parent.digest() if self.parent else DEBIAN_IMAGE).encode())
        digest.update("\n".join(self.requirements).encode())
        root = CONTAINERS / self.folder
        for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()[:16]


def _recipes() -> tuple[Recipe, ...]:
    torch, vision = torch_pair()
    base = Recipe(BASE_IMAGE, "base", (
        "numpy==2.4.6", "scipy==1.17.1", "pandas==3.1.1", f"scikit-learn=={SKLEARN_VERSION}", "joblib==1.6.0",
        "sagemaker-training==5.1.4", "sagemaker-inference==1.10.1", "gunicorn==27.0.1"))
    return (base,
            Recipe(PYTORCH_IMAGE, "pytorch", (f"torch=={torch}", f"torchvision=={vision}",
                                              "sagemaker-pytorch-training==3.0.0",
                                              "sagemaker-pytorch-inference==2.0.25"), base),
            Recipe(SKLEARN_IMAGE, "sklearn", (), base),
            Recipe(XGBOOST_IMAGE, "xgboost", (f"xgboost-cpu=={XGBOOST_VERSION}",), base),
            Recipe(MODEL_MONITOR_IMAGE, "model-monitor", (), base),
            # soupsieve (under jupyterlab's nbconvert): 3.x and later need Python 3.11.5, Debian has 3.11.2.
            Recipe(NOTEBOOK_IMAGE, "notebook", (f"jupyterlab=={JUPYTERLAB_VERSION}", f"sagemaker=={NOTEBOOK_SDK_VERSION}",
                                                "matplotlib==3.11.2", "soupsieve==2.10"), base))


RECIPES = _recipes()
FRAMEWORK_RECIPES = {r.image: r for r in RECIPES if r.parent is not None}


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "sagemaker-emulator"


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def _run(cmd: list[str], **kwargs) -> None:
    subprocess.run(cmd, check=True, **kwargs)


def ensure_debian_image(client: docker.DockerClient) -> None:
    try:
        client.images.get(DEBIAN_IMAGE)
        return
    except ImageNotFound:
        pass
    say(f"pulling {DEBIAN_IMAGE}")
    if subprocess.run(["docker", "pull", DEBIAN_IMAGE], capture_output=True).returncode == 0:
        return
    say(f"no registry answered: bootstrapping {DEBIAN_IMAGE} from Debian's archive (~1 min)")
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
        _run(["docker", "import", "-", DEBIAN_IMAGE], stdin=tar.stdout, stdout=subprocess.DEVNULL)
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


def ensure_wheelhouse() -> Path:
    """One wheelhouse for every image, resolved together so the pins agree; older ones go."""
    reqs = sorted({req for recipe in RECIPES for req in recipe.requirements})
    key = hashlib.sha256("\n".join(reqs).encode()).hexdigest()[:12]
    house = cache_dir() / f"wheelhouse-{key}"
    if (house / ".complete").exists():
        return house
    say(f"collecting wheels into {house} ({', '.join(reqs)})")
    house.mkdir(parents=True, exist_ok=True)
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check", "-w", str(house), *reqs])
    (house / ".complete").touch()
    for old in cache_dir().glob("wheelhouse-*"):
        if old != house:
            shutil.rmtree(old, ignore_errors=True)
    return house


def image_state(client: docker.DockerClient, recipe: Recipe) -> str:
    """"up to date", "out of date" (built from another recipe) or "not built"."""
    try:
        label = client.images.get(recipe.image).labels.get(RECIPE_LABEL)
    except ImageNotFound:
        return "not built"
    return "up to date" if label == recipe.digest() else "out of date"


def docker_client() -> docker.DockerClient:
    try:
        client = docker.from_env(timeout=600)
        client.ping()
    except DockerException as exc:
        raise SystemExit(f"no Docker engine answers ({exc}); run scripts/docker-engine.sh") from exc
    return client


def build_images(quiet: bool = False) -> list[str]:
    """Every image, parents first; those whose recipe is unchanged are left as they are."""
    client = docker_client()
    stale = [r for r in RECIPES if image_state(client, r) != "up to date"]
    for recipe in RECIPES:
        if recipe not in stale:
            say(f"{recipe.image} is up to date")
    if not stale:
        return [r.image for r in RECIPES]
    ensure_debian_image(client)
    house = ensure_wheelhouse()
    with serve_folder(house) as url:
        for recipe in stale:
            say(f"building {recipe.image}")
            cmd = ["docker", "build", "--network", "host", "-t", recipe.image,
                   "--label", f"{RECIPE_LABEL}={recipe.digest()}", "-f", str(CONTAINERS / recipe.folder / "Dockerfile"),
                   "--build-arg", f"WHEELHOUSE_URL={url}",
                   "--build-arg", f"REQUIREMENTS={' '.join(recipe.requirements)}"]
            if recipe.parent:
                cmd += ["--build-arg", f"BASE={recipe.parent.image}"]
            if quiet:
                cmd.insert(2, "-q")
            _run([*cmd, str(CONTAINERS)], **({"stdout": subprocess.DEVNULL} if quiet else {}))
            say(f"image ready: {recipe.image}")
    return [r.image for r in RECIPES]
