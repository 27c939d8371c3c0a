# The emulator itself as a container (docker-compose.yml runs it): Debian's python3 in a venv with
# the emulator's dependencies (pyproject.toml's) and its source. Its jobs and endpoints run beside
# it on the engine whose socket is mounted into it (README "Where the containers run").
# Build context: the repository (.dockerignore keeps only pyproject.toml and emulator/).
# scripts/build_emulator_image.py builds it with wheels the host's pip collects, served on the
# host's loopback (WHEELHOUSE_URL), for machines whose containers cannot reach PyPI; without
# WHEELHOUSE_URL (`docker-compose build` elsewhere) pip installs from PyPI.
FROM debian:bookworm-slim

ENV DEBIAN_FRONTEND=noninteractive \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LANG=C.UTF-8
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv \
 && rm -rf /var/lib/apt/lists/*
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

ARG WHEELHOUSE_URL=
COPY pyproject.toml /opt/sagemaker-emulator/
RUN set -f \
 && deps="$(python -c 'import tomllib; print(" ".join(tomllib.load(open("/opt/sagemaker-emulator/pyproject.toml", "rb"))["project"]["dependencies"]))')" \
 && pip install --no-cache-dir --disable-pip-version-check ${WHEELHOUSE_URL:+--no-index --find-links "$WHEELHOUSE_URL"} $deps

COPY emulator /opt/sagemaker-emulator/emulator
RUN printf '#!/bin/sh\nexec /opt/venv/bin/python -m emulator "$@"\n' > /usr/local/bin/sagemaker-emulator \
 && chmod +x /usr/local/bin/sagemaker-emulator
ENV PYTHONPATH=/opt/sagemaker-emulator
EXPOSE 8787
ENTRYPOINT ["sagemaker-emulator"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8787", "--data-dir", "/var/lib/sagemaker-emulator"]
