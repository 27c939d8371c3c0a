"""`sagemaker-emulator`: serve the APIs, build the images."""

import argparse
import fcntl
import ipaddress
import socket
import struct
import logging
import signal
import sys
import urllib.parse
from pathlib import Path

from .config import Settings, default_data_dir
from .execution import RUNNER_NAMES


def _bridge_gateway() -> str | None:
    """The Docker bridge's gateway address: where job containers reach the host.

    Debian's engine leaves IPAM's Gateway empty on the default bridge; then the bridge
    interface's own address is the gateway, which is the subnet's first host address.
    """
    try:
        import docker

        attrs = docker.from_env(timeout=5).networks.get("bridge").attrs
    except Exception:
        return None
    config = (attrs.get("IPAM") or {}).get("Config") or [{}]
    if config[0].get("Gateway"):
        return config[0]["Gateway"]
    interface = (attrs.get("Options") or {}).get("com.docker.network.bridge.name", "docker0")
    address = _interface_address(interface)
    if address:
        return address
    if config[0].get("Subnet"):
        return str(next(ipaddress.ip_network(config[0]["Subnet"]).hosts()))
    return None


def _interface_address(name: str) -> str | None:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            packed = fcntl.ioctl(s.fileno(), 0x8915, struct.pack("256s", name[:15].encode()))  # SIOCGIFADDR
        return socket.inet_ntoa(packed[20:24])
    except OSError:
        return None


def _container_side(settings: Settings, guard) -> list[str]:
    """Where containers call the emulator: let in by the host check, and listened on besides
    --host when it is an address of this machine. That is the host of SAGEMAKER_EMULATOR_CONTAINER_URL
    when it is set (an engine elsewhere), else the Docker bridge's gateway: containers cannot reach
    127.0.0.1 on the host, they reach the gateway, which only this host's containers can route to."""
    from .execution.docker_engine import is_local_address

    if settings.container_url:
        url = urllib.parse.urlsplit(settings.container_url)
        address, port = url.hostname, url.port or (443 if url.scheme == "https" else 80)
    else:
        address, port = _bridge_gateway(), settings.port
    if not address:
        return []
    guard.allow_host(address)  # containers name it in Host
    if address == settings.host or settings.host in ("0.0.0.0", "::") or port != settings.port:
        return []
    if not is_local_address(address):
        if not settings.container_url:
            logging.warning("the Docker engine's bridge gateway %s is not on this machine: its containers "
                            "cannot reach the emulator; set SAGEMAKER_EMULATOR_CONTAINER_URL", address)
        return []
    return [f"[{address}]:{port}" if ":" in address else f"{address}:{port}"]


def serve(args) -> int:
    from .app import create_emulator
    from .execution.docker_engine import EngineSettingError
    from .server import make_server

    settings = Settings(host=args.host, port=args.port, data_dir=Path(args.data_dir).resolve(),
                        runner=args.runner)
    settings.allow_hosts += args.allow_host
    settings.allow_origins += args.allow_origin
    url = urllib.parse.urlsplit(settings.container_url or "http://default")
    if url.scheme not in ("http", "https") or not url.hostname:
        print(f"sagemaker-emulator serve: SAGEMAKER_EMULATOR_CONTAINER_URL={settings.container_url!r} is not "
              "an http:// URL (the emulator's URL as containers reach it)", file=sys.stderr)
        return 2
    try:
        emulator = create_emulator(settings)
    except EngineSettingError as exc:
        print(f"sagemaker-emulator serve: {exc}", file=sys.stderr)
        return 2
    emulator.start()
    listen = [f"{settings.host}:{settings.port}"]
    if emulator.runner_name == "docker":
        listen += _container_side(settings, emulator.wsgi.guard)
    server = make_server(emulator.wsgi, listen)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    print(f"sagemaker-emulator listening on {settings.url} (runner: {emulator.runner_name}, "
          f"data: {settings.data_dir})", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        emulator.close()
    return 0


def _exit_on_signal(signum, frame):
    raise SystemExit(0)


def images_build(args) -> int:
    from .images import build_images

    build_images(quiet=args.quiet)
    return 0


def images_list(args) -> int:
    """Each AWS image URI pattern, the local image it runs as, and whether that is built."""
    from .images import FRAMEWORK_RECIPES, docker_client, image_state
    from .sagemaker.images import FRAMEWORKS, uri_pattern

    client = docker_client()
    rows = [(uri_pattern(repository), f.image, image_state(client, FRAMEWORK_RECIPES[f.image]))
            for f in FRAMEWORKS for repository in f.repositories]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    print(f"{'IMAGE URI':{widths[0]}}  {'LOCAL IMAGE':{widths[1]}}  STATE")
    for uri, image, state in rows:
        print(f"{uri:{widths[0]}}  {image:{widths[1]}}  {state}")
    print("any other URI runs as given (a bring-your-own image)")
    return 0


def env(args) -> int:
    from .shell_env import exports, render

    sys.stdout.write(render(exports(args.host, args.port)))
    return 0


def run(args) -> int:
    """Replace this process with the command, in the emulator's environment (the `env` exports
    and $SAGEMAKER_EMULATOR_URL, which the test fixtures then use instead of starting their own)
    and with the SDK fast path on for the Python processes it starts (emulator/testing)."""
    import os

    from .testing.server import answers, exports

    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        print("sagemaker-emulator run: give a command, e.g. sagemaker-emulator run -- python train.py",
              file=sys.stderr)
        return 2
    url = f"http://{args.host}:{args.port}"
    if not answers(url):
        print(f"sagemaker-emulator run: warning: no emulator answers at {url} "
              "(start one with `sagemaker-emulator serve`)", file=sys.stderr)
    environment = dict(os.environ)
    environment.update(exports(url, environment))
    try:
        os.execvpe(command[0], command, environment)
    except OSError as exc:
        print(f"sagemaker-emulator run: {command[0]}: {exc.strerror}", file=sys.stderr)
        return 127


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="sagemaker-emulator", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="serve the SageMaker, runtime, S3, Logs and STS APIs on one port")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8787)
    p.add_argument("--data-dir", default=str(default_data_dir()))
    p.add_argument("--runner", choices=["auto", *RUNNER_NAMES], default="auto")
    p.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                   help="also answer requests whose Host is NAME (repeatable; '*': any; "
                        "env SAGEMAKER_EMULATOR_ALLOW_HOSTS, comma-separated)")
    p.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                   help="also answer browsers' requests from ORIGIN, e.g. http://localhost:3000 "
                        "(repeatable; '*': any; env SAGEMAKER_EMULATOR_ALLOW_ORIGINS, comma-separated)")
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(func=serve)
    p = sub.add_parser("env", help="print the exports that point AWS code at the emulator: "
                                   "eval \"$(sagemaker-emulator env)\"")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8787)
    p.set_defaults(func=env)
    p = sub.add_parser("run", help="run a command with the `env` exports and the SageMaker SDK's polls "
                                   "shortened in its Python processes: sagemaker-emulator run -- CMD ...")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8787)
    p.add_argument("command", nargs=argparse.REMAINDER, help="the command and its arguments, after --")
    p.set_defaults(func=run)
    p = sub.add_parser("images", help="framework images")
    images = p.add_subparsers(dest="images_command", required=True)
    b = images.add_parser("build", help="build the PyTorch, scikit-learn and XGBoost images "
                                        "(quick when nothing changed)")
    b.add_argument("-q", "--quiet", action="store_true")
    b.set_defaults(func=images_build)
    images.add_parser("list", help="which AWS image URIs run as which local image, and whether it is built"
                      ).set_defaults(func=images_list)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if getattr(args, "verbose", False) else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
