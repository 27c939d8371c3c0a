#!/usr/bin/env bash
# Make sure a Docker engine answers. On a bare Debian machine (CI) install Debian's
# docker.io and start dockerd in the background; elsewhere only report what is missing.
set -euo pipefail

if docker info >/dev/null 2>&1; then
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing Docker engine (Debian docker.io)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  else
    echo "error: no Docker engine; install Docker (or run the process runner: --runner process)" >&2
    exit 1
  fi
fi

if [ "$(id -u)" = 0 ]; then
  echo "==> starting dockerd"
  nohup dockerd >/var/log/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && exit 0
    sleep 1
  done
  echo "error: dockerd did not answer within 60 s; see /var/log/dockerd.log" >&2
  exit 1
fi
echo "error: Docker engine installed but not running, and not root to start it" >&2
exit 1
