#!/usr/bin/env bash
# Installs this unpacked studio-worker build (docs/distribution.md).
#   as root:  /opt/studio-worker, a system service running as user `studio-worker`
#   as user:  ~/.local/share/studio-worker, a user service (systemctl --user)
# Usage: ./install.sh [--root DIR] [--studio URL] [--no-service]
#   --no-service: unpack and point `current` only (no system user, no unit)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="$(cat "$here/VERSION")"
studio=""
service=1
if [ "$(id -u)" = 0 ]; then root=/opt/studio-worker; else root="${XDG_DATA_HOME:-$HOME/.local/share}/studio-worker"; fi
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="$2"; shift 2 ;;
    --studio) studio="$2"; shift 2 ;;
    --no-service) service=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

mkdir -p "$root/versions" "$root/state" "$root/plugins"
if [ ! -d "$root/versions/$version" ]; then
  tmp="$root/versions/.$version.partial"
  rm -rf "$tmp" && cp -a "$here" "$tmp" && mv -T "$tmp" "$root/versions/$version"
fi
ln -sfn "versions/$version" "$root/.current-new" && mv -T "$root/.current-new" "$root/current"
rm -f "$root/state/probation"
echo "installed studio-worker $version in $root (current -> versions/$version)"

run_as=""
if [ "$(id -u)" = 0 ] && [ "$service" = 1 ]; then
  if ! id studio-worker >/dev/null 2>&1; then
    useradd --system --create-home --home-dir /var/lib/studio-worker --shell /usr/sbin/nologin studio-worker
  fi
  chown -R studio-worker: "$root"
  run_as="sudo -u studio-worker HOME=/var/lib/studio-worker"
fi
if [ -n "$studio" ]; then
  $run_as "$root/current/bin/studio-worker" register --api-base-url "$studio"
fi

if [ "$service" = 1 ] && command -v systemctl >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    unit=/etc/systemd/system/studio-worker.service
    user=studio-worker; home=/var/lib/studio-worker; ctl="systemctl"
  else
    unit="${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user/studio-worker.service"
    user="$(id -un)"; home="$HOME"; ctl="systemctl --user"
    mkdir -p "$(dirname "$unit")"
  fi
  sed -e "s|@ROOT@|$root|g" -e "s|@USER@|$user|g" -e "s|@HOME@|$home|g" \
    "$here/systemd/studio-worker.service" > "$unit"
  if [ "$(id -u)" != 0 ]; then sed -i '/^User=/d; s/multi-user.target/default.target/' "$unit"; fi
  $ctl daemon-reload
  $ctl enable --now studio-worker.service
  echo "service: $unit (enabled and started; logs: ${ctl/systemctl/journalctl} -u studio-worker -f)"
fi

cat <<MSG

Next: approve this worker in the studio.
  The worker asks to join on its first start; an operator approves the pending request in the
  studio's Workers page. Watch for "waiting for operator approval (request <id>, ...)" in the log,
  or run:  $run_as $root/current/bin/studio-worker status
MSG
