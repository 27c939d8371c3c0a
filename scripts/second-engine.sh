#!/usr/bin/env bash
# A second Docker engine on this machine, for the tests of the Docker runner against an engine
# that shares no path with the emulator (tests/second_engine.py): it answers on
# tcp://127.0.0.1:23750 only, with its own data root, exec root, pid file and bridge
# (smemu-docker2, 10.212.0.1/24; its networks from 10.213.0.0/16, apart from the main engine's
# 172.17+ and 192.168 pools), and holds the scikit-learn image, loaded from the main engine.
# Idempotent, and quick when all is there (a loaded image is loaded again only when the main
# engine's differs). Needs root and the main engine (scripts/docker-engine.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

ADDRESS=tcp://127.0.0.1:23750
BRIDGE=smemu-docker2
BRIDGE_CIDR=10.212.0.1/24
POOL=10.213.0.0/16
NAME=docker-smemu2
D=(docker -H "$ADDRESS")

if [ "$(id -u)" != 0 ]; then
  echo "note: the second Docker engine (tests of remote engines) needs root: not started" >&2
  exit 0
fi

if ! "${D[@]}" info >/dev/null 2>&1; then
  echo "==> starting a second Docker engine on $ADDRESS"
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add name "$BRIDGE" type bridge
    ip addr add "$BRIDGE_CIDR" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
  # It manages no iptables rules of its own (the main engine's would clash with a second set);
  # with bridged traffic passing iptables (br_netfilter) and the main engine's FORWARD policy
  # DROP, traffic between its own containers is let through here.
  if command -v iptables >/dev/null 2>&1; then
    iptables -C FORWARD -s 10.212.0.0/15 -d 10.212.0.0/15 -j ACCEPT 2>/dev/null \
      || iptables -I FORWARD -s 10.212.0.0/15 -d 10.212.0.0/15 -j ACCEPT
  fi
  mkdir -p "/etc/$NAME" "/var/lib/$NAME" "/var/run/$NAME"
  [ -f "/etc/$NAME/daemon.json" ] || echo '{}' > "/etc/$NAME/daemon.json"  # not the main engine's
  # --live-restore matters: a dockerd restarted with --default-address-pool and without it
  # deletes the link named docker0, whatever its own bridge is (moby's removeDefaultBridgeInterface),
  # and that is the main engine's.
  main_bridge=$(ip -4 -o addr show docker0 2>/dev/null | awk '{print $4}' | head -1)
  nohup dockerd --host "$ADDRESS" --config-file "/etc/$NAME/daemon.json" --data-root "/var/lib/$NAME" \
    --exec-root "/var/run/$NAME" --pidfile "/var/run/$NAME.pid" --bridge "$BRIDGE" \
    --default-address-pool "base=$POOL,size=24" --iptables=false --ip-masq=false --live-restore \
    >"/var/log/$NAME.log" 2>&1 &
  for _ in $(seq 1 60); do
    "${D[@]}" info >/dev/null 2>&1 && break
    sleep 0.5
  done
  "${D[@]}" info >/dev/null 2>&1 || { echo "error: the second engine did not answer; see /var/log/$NAME.log" >&2; exit 1; }
  if [ -n "$main_bridge" ] && ! ip link show docker0 >/dev/null 2>&1; then
    echo "warning: docker0 went away as the second engine started; making it again ($main_bridge)" >&2
    ip link add name docker0 type bridge && ip addr add "$main_bridge" dev docker0 && ip link set docker0 up
  fi
fi

IMAGE=$(.venv/bin/python -c "from emulator.execution.framework_image import SKLEARN_IMAGE; print(SKLEARN_IMAGE)")
wanted=$(docker image inspect -f '{{.Id}}' "$IMAGE")
if [ "$("${D[@]}" image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)" != "$wanted" ]; then
  echo "==> loading $IMAGE into the second engine"
  docker save "$IMAGE" | "${D[@]}" load -q >/dev/null
  "${D[@]}" image prune -f >/dev/null  # the version it replaced
fi
