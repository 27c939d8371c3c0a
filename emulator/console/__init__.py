"""The web console: one page and its scripts, served by the emulator's Flask app.

The scripts read and act on the emulator only through the AWS APIs it serves (SageMaker,
CloudWatch Logs, CloudWatch, S3 and the SageMaker runtime), from the browser over HTTP, as
a user's own code would: nothing here reaches into the emulator's internals. The charting
library (uPlot) ships in static/vendor and is never fetched from a CDN.
"""

import hashlib
import html
from pathlib import Path

from flask import Blueprint, Response

STATIC = Path(__file__).parent / "static"
ONE_YEAR = 365 * 24 * 3600


def assets_version() -> str:
    """A digest of the files: their URL changes with them, so browsers may cache them for good."""
    digest = hashlib.sha256()
    for path in sorted(p for p in STATIC.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(STATIC)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


class _Assets(Blueprint):
    def get_send_file_max_age(self, filename):
        return ONE_YEAR


def console_blueprint(region: str) -> Blueprint:
    prefix = f"/_emulator/console/{assets_version()}"
    blueprint = _Assets("console", __name__, static_folder=STATIC, static_url_path=prefix)
    # The scripts sign nothing, but scope each request to the region the emulator serves.
    page = ((STATIC / "index.html").read_text(encoding="utf-8")
            .replace("{{region}}", html.escape(region)).replace("{{assets}}", prefix))

    @blueprint.get("/")
    def index():
        return Response(page, mimetype="text/html", headers={"Cache-Control": "no-cache"})

    return blueprint
