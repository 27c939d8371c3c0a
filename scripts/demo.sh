#!/usr/bin/env bash
# Set up everything, start the emulator, and run the main job end to end through the
# SageMaker API with boto3: train the MNIST example, deploy it, and ask it about held-out digits.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

PORT=${PORT:-8787}
# Any credentials do; these are used only when none are configured.
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-emulator} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-emulator}
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1}
DATA_DIR=${DATA_DIR:-.data}
LOG=${DATA_DIR}/emulator.log
mkdir -p "$DATA_DIR"
.venv/bin/sagemaker-emulator serve --port "$PORT" --data-dir "$DATA_DIR" >"$LOG" 2>&1 &
EMULATOR_PID=$!
trap 'kill $EMULATOR_PID 2>/dev/null; wait $EMULATOR_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/_emulator/health" >/dev/null && break
  kill -0 $EMULATOR_PID 2>/dev/null || { cat "$LOG"; exit 1; }
  sleep 0.5
done
echo "==> emulator up on http://127.0.0.1:$PORT (log: $LOG)"
echo "==> follow the job in the console: open http://127.0.0.1:$PORT/ in a browser"
AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" .venv/bin/python examples/mnist/run.py
if [ -t 0 ] && [ -t 1 ]; then
  # In a terminal, the console stays up to look at the finished job (its metrics, logs, model).
  read -r -p "==> the console stays on http://127.0.0.1:$PORT/ until you press Enter " _ || true
fi
