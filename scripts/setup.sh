#!/usr/bin/env bash
# Set up everything on a fresh machine: .venv (with the project), a Docker engine, Chromium and
# docker-compose when missing and this user may install them, the framework images, the
# emulator's own image (docker-compose.yml), a second engine for the remote-engine tests (as
# root), and the MNIST data files.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
echo "==> installing the emulator into .venv"
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[ml,test,sdk]'
# The SageMaker Python SDK 3.x, for its end-to-end test: it cannot live beside 2.x.
if [ ! -x .venv-sdk3/bin/python ]; then
  echo "==> creating .venv-sdk3"
  "$PYTHON" -m venv .venv-sdk3
fi
.venv-sdk3/bin/python -m pip install -q --disable-pip-version-check -e '.[sdk3]'

# Debian packages, when missing and this user may install them: bubblewrap gives the process
# runner (no Docker) the real /opt/ml paths; Chromium runs the console's browser tests
# (Playwright drives it and never downloads a browser of its own).
missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)  # docker-compose.yml, Debian's 1.x
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
bash scripts/docker-engine.sh
.venv/bin/sagemaker-emulator images build -q
.venv/bin/python scripts/build_emulator_image.py -q
bash scripts/second-engine.sh
.venv/bin/python scripts/make_mnist_data.py examples/mnist/data >/dev/null
echo "==> set up"
