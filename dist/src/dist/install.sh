#!/usr/bin/env bash
# Installs this unpacked studio-worker build (docs/distribution.md). Run ./install.sh --help.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: install.sh [--studio URL] [--root DIR] [--no-service] [--prefix DIR] [--help]

Installs this build side by side with earlier ones and (unless --no-service) a systemd service.
  as root:    /opt/studio-worker, a system unit running as user `studio-worker`,
              the command /usr/local/bin/studio-worker
  as a user:  ~/.local/share/studio-worker, a user unit (systemctl --user),
              the command ~/.local/bin/studio-worker

  --studio URL    save the studio's URL (studio-worker register --api-base-url URL)
  --root DIR      install root instead of the default above
  --no-service    unpack and point `current` only: no user, no unit, no command on PATH
  --prefix DIR    write every file under DIR instead of / (packaging, tests): the unit and the
                  links name the final paths; no user is created and systemctl is not run
  --help          this text

The worker asks to join on its first start; an operator approves it in the studio.
USAGE
}

fail() { echo "install.sh: $*" >&2; exit "${2:-1}"; }
need_value() { # <option> <remaining argument count> <value>
  if [ "$2" -lt 2 ] || [ -z "$3" ] || [ "${3#--}" != "$3" ]; then
    echo "install.sh: $1 needs a value (install.sh --help)" >&2
    exit 2
  fi
}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
studio=""
service=1
root=""
prefix=""
while [ $# -gt 0 ]; do
  case "$1" in
    --help|-h) usage; exit 0 ;;
    --root) need_value "$1" $# "${2:-}"; root="$2"; shift 2 ;;
    --studio) need_value "$1" $# "${2:-}"; studio="$2"; shift 2 ;;
    --prefix) need_value "$1" $# "${2:-}"; prefix="${2%/}"; shift 2 ;;
    --no-service) service=0; shift ;;
    *) echo "install.sh: unknown option $1 (install.sh --help)" >&2; exit 2 ;;
  esac
done
[ -f "$here/VERSION" ] || fail "run install.sh from an unpacked studio-worker archive (no VERSION beside it)"
version="$(cat "$here/VERSION")"
if [ -n "$prefix" ]; then
  mkdir -p "$prefix" && prefix="$(cd "$prefix" && pwd)"
fi

# Final paths (what the unit, the links and the messages name); every write goes to $prefix$path.
if [ "$(id -u)" = 0 ]; then
  system=1
  root="${root:-/opt/studio-worker}"
  home=/var/lib/studio-worker
  config="$home/.config/minis-studio-worker/config.toml"
  unit=/etc/systemd/system/studio-worker.service
  bin=/usr/local/bin
  ctl="systemctl"
  journal="journalctl -u studio-worker"
else
  system=0
  root="${root:-${XDG_DATA_HOME:-$HOME/.local/share}/studio-worker}"
  home="$HOME"
  config="${XDG_CONFIG_HOME:-$HOME/.config}/minis-studio-worker/config.toml"
  unit="${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user/studio-worker.service"
  bin="$HOME/.local/bin"
  ctl="systemctl --user"
  journal="journalctl --user -u studio-worker"
fi
case "$root" in /*) ;; *) root="$(pwd)/$root" ;; esac

# Everything that can stop the service install is checked before anything is written.
run_ctl=0
if [ "$service" = 1 ] && [ -z "$prefix" ]; then
  command -v systemctl >/dev/null 2>&1 \
    || fail "systemd's systemctl is not here; install with --no-service and start the worker yourself ($root/current/bin/studio-worker run)"
  if [ "$system" = 0 ] && ! systemctl --user show-environment >/dev/null 2>&1; then
    fail "cannot reach your systemd user instance (no user bus: a login without a systemd session, or su/sudo). Either
  - install without a service:  $0 --no-service ...  (and run $root/current/bin/studio-worker run yourself), or
  - let your user manager run without a login:  sudo loginctl enable-linger $(id -un)  and log in again (or: export XDG_RUNTIME_DIR=/run/user/$(id -u)), then run install.sh again.
Nothing was installed."
  fi
  if [ "$system" = 1 ] && ! command -v useradd >/dev/null 2>&1 && ! id studio-worker >/dev/null 2>&1; then
    fail "useradd is not here to create the user studio-worker; create it, or install with --no-service"
  fi
  run_ctl=1
fi

dest="$prefix$root"
mkdir -p "$dest/versions" "$dest/state" "$dest/plugins"
if [ ! -d "$dest/versions/$version" ]; then
  tmp="$dest/versions/.$version.partial"
  rm -rf "$tmp" && cp -a "$here" "$tmp" && mv -T "$tmp" "$dest/versions/$version"
fi
ln -sfn "versions/$version" "$dest/.current-new" && mv -T "$dest/.current-new" "$dest/current"
rm -f "$dest/state/probation"
echo "installed studio-worker $version in $root (current -> versions/$version)"

if [ "$service" = 0 ]; then
  if [ -n "$studio" ]; then
    # No service, so no service config: the invoking user's own (default) config.
    "$dest/current/bin/studio-worker" register --api-base-url "$studio"
  fi
  echo "no service and no command on PATH (--no-service): run $root/current/bin/studio-worker"
  exit 0
fi

as_worker=()
status_as=""
if [ "$system" = 1 ] && [ -z "$prefix" ]; then
  if ! id studio-worker >/dev/null 2>&1; then
    useradd --system --create-home --home-dir "$home" --shell /usr/sbin/nologin studio-worker
  fi
  chown -R studio-worker: "$root"
  if command -v runuser >/dev/null 2>&1; then
    as_worker=(runuser -u studio-worker -- env HOME="$home")
  else
    as_worker=(sudo -u studio-worker HOME="$home")
  fi
  status_as="sudo -u studio-worker "
fi
if [ -n "$studio" ]; then
  # ${a[@]+...}: an empty array is an unbound variable to bash 4.3 and older under set -u.
  ${as_worker[@]+"${as_worker[@]}"} "$dest/current/bin/studio-worker" --config "$prefix$config" \
    register --api-base-url "$studio"
fi

# The command on PATH: a link to the launcher through `current`, so it follows updates.
mkdir -p "$prefix$bin"
ln -sfn "$root/current/bin/studio-worker" "$prefix$bin/studio-worker"
echo "command: $bin/studio-worker -> $root/current/bin/studio-worker"
if [ "$system" = 0 ]; then
  case ":$PATH:" in *":$bin:"*) ;; *) echo "  ($bin is not on your PATH; add it, or call the launcher by its full path)" ;; esac
fi

# The unit names the config explicitly, so that the path printed below is the one it reads.
mkdir -p "$(dirname "$prefix$unit")"
sed -e "s|@ROOT@|$root|g" -e "s|@USER@|studio-worker|g" -e "s|@HOME@|$home|g" \
  -e "s|@CONFIG@|$config|g" "$here/systemd/studio-worker.service" > "$prefix$unit"
if [ "$system" = 0 ]; then
  # A user manager has no network-online.target and runs as its user: no User=, default.target.
  sed -i -e '/^User=/d' -e '/network-online.target/d' -e 's/multi-user.target/default.target/' \
    "$prefix$unit"
fi
echo "service: $unit"
if [ "$run_ctl" = 1 ]; then
  $ctl daemon-reload
  # --no-block: the unit (Type=notify) has started only once the worker reaches the studio, and
  # the script does not wait for that; `systemctl status` shows how far it got.
  $ctl enable --now --no-block studio-worker.service
  echo "  enabled and starting: it counts as started once it reaches the studio"
else
  echo "  not started (--prefix): $ctl daemon-reload && $ctl enable --now studio-worker.service"
fi

cat <<MSG

config:  $config
status:  ${status_as}$bin/studio-worker --config $config status
service: $ctl status studio-worker
logs:    $journal -f

Next: approve this worker in the studio. It asks to join on its first start; an operator approves
the pending request in the studio's Workers page (the worker polls every 30 s, so it connects
within half a minute of the approval). The log shows "waiting for operator approval (request <id>,
...)" meanwhile.
MSG
