#!/usr/bin/env bash
# Runs ON the Pi (as root), from the unpacked bundle: installs /opt/edge, the "edge" user (groups video, gpio),
# /etc/edge/edge-camera.env (kept when it exists), and enables and starts edge-camera.service.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[ "$(id -u)" = 0 ] || { echo "run as root (sudo $0)" >&2; exit 2; }
id edge >/dev/null 2>&1 || useradd --system --home-dir /var/lib/edge --shell /usr/sbin/nologin edge
for g in video gpio; do getent group "$g" >/dev/null || groupadd --system "$g"; usermod -aG "$g" edge; done
install -d -m 755 /opt/edge /etc/edge
rm -rf /opt/edge/bin /opt/edge/models
cp -r "$here/bin" "$here/models" /opt/edge/
cp "$here/README.md" /opt/edge/
chmod 755 /opt/edge/bin/edge
[ -e /etc/edge/edge-camera.env ] || install -m 644 "$here/edge-camera.env" /etc/edge/edge-camera.env
install -m 644 "$here/edge-camera.service" /etc/systemd/system/edge-camera.service
systemctl daemon-reload
systemctl enable edge-camera.service
systemctl restart edge-camera.service
sleep 2
systemctl --no-pager --lines=5 status edge-camera.service || true
echo "installed: /opt/edge/bin/edge; settings /etc/edge/edge-camera.env; logs: journalctl -u edge-camera -f"
