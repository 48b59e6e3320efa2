#!/usr/bin/env bash
# Installs this unpacked studio-worker build (docs/distribution.md). Run ./install.sh --help.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: install.sh [--studio URL] [--root DIR] [--no-service] [--per-gpu [--gpus LIST]]
                  [--prefix DIR] [--help]

Installs this build side by side with earlier ones and (unless --no-service) a systemd service.
  as root:    /opt/studio-worker, a system unit running as user `studio-worker`,
              the command /usr/local/bin/studio-worker
  as a user:  ~/.local/share/studio-worker, a user unit (systemctl --user),
              the command ~/.local/bin/studio-worker

  --studio URL    save the studio's URL (studio-worker register --api-base-url URL)
  --root DIR      install root instead of the default above
  --no-service    unpack and point `current` only: no user, no unit, no command on PATH
  --per-gpu       one worker per GPU instead of one for the whole machine: the template unit
                  studio-worker@.service and one enabled instance per GPU (studio-worker@0, ...),
                  each pinned to its GPU with its own config directory; disables
                  studio-worker.service if it was enabled. Running it again adds the missing
                  instances and keeps the existing ones and their config directories
  --gpus LIST     with --per-gpu: only these GPUs, by the index `studio-worker gpu` shows (0,2)
  --prefix DIR    write every file under DIR instead of / (packaging, tests): the unit and the
                  links name the final paths; no user is created and systemctl is not run
  --help          this text

The worker asks to join on its first start; an operator approves it in the studio (with
--per-gpu, one request per GPU, named "<host> GPU <N>").
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
per_gpu=0
gpus=""
while [ $# -gt 0 ]; do
  case "$1" in
    --help|-h) usage; exit 0 ;;
    --root) need_value "$1" $# "${2:-}"; root="$2"; shift 2 ;;
    --studio) need_value "$1" $# "${2:-}"; studio="$2"; shift 2 ;;
    --prefix) need_value "$1" $# "${2:-}"; prefix="${2%/}"; shift 2 ;;
    --no-service) service=0; shift ;;
    --per-gpu) per_gpu=1; shift ;;
    --gpus) need_value "$1" $# "${2:-}"; gpus="$2"; shift 2 ;;
    *) echo "install.sh: unknown option $1 (install.sh --help)" >&2; exit 2 ;;
  esac
done
if [ -n "$gpus" ] && [ "$per_gpu" = 0 ]; then
  echo "install.sh: --gpus picks the GPUs of --per-gpu; add --per-gpu (install.sh --help)" >&2
  exit 2
fi
if [ "$per_gpu" = 1 ] && [ "$service" = 0 ]; then
  echo "install.sh: --per-gpu installs one unit per GPU; it does not go with --no-service" >&2
  exit 2
fi
case "$gpus" in
  *[!0-9,]* | ,* | *, | *,,*)
    echo "install.sh: --gpus takes GPU indexes separated by commas, such as 0,2 (not $gpus)" >&2
    exit 2 ;;
esac
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
  template=/etc/systemd/system/studio-worker@.service
else
  system=0
  root="${root:-${XDG_DATA_HOME:-$HOME/.local/share}/studio-worker}"
  home="$HOME"
  config="${XDG_CONFIG_HOME:-$HOME/.config}/minis-studio-worker/config.toml"
  unit="${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user/studio-worker.service"
  bin="$HOME/.local/bin"
  ctl="systemctl --user"
  journal="journalctl --user -u studio-worker"
  template="${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user/studio-worker@.service"
fi
# With --per-gpu, GPU N's worker reads <config base>/gpu-N/config.toml (studio-worker@.service).
config_base="$(dirname "$config")"
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

# The GPUs as the worker sees them (NVML, else sysfs), from this build's own `gpu --json`: the
# launcher that is about to be installed, run before anything is written, so that --gpus naming a
# GPU that is not there stops the install with nothing half-done.
instances=()
if [ "$per_gpu" = 1 ]; then
  gpu_json="$("$here/bin/studio-worker" gpu --json)" \
    || fail "could not list the GPUs ($here/bin/studio-worker gpu --json failed, above). Nothing was installed."
  # One "<index> <name>" line per GPU. The JSON is one line, keys in a fixed order, index first
  # then name (GpuSnapshot.toJson); its strings escape quotes, so '{"index":' starts only a GPU.
  detected="$(printf '%s\n' "$gpu_json" \
    | grep -oE '\{"index":[0-9]+,"name":("([^"\\]|\\.)*"|null)' \
    | sed -E -e 's/^\{"index":([0-9]+),"name":"?/\1 /' -e 's/"$//')" || true
  if [ -z "$detected" ]; then
    note="$(printf '%s\n' "$gpu_json" | grep -oE '"note":"([^"\\]|\\.)*"' | sed -E 's/^"note":"(.*)"$/\1/')" || true
    fail "--per-gpu found no GPU: \`studio-worker gpu\` lists none${note:+ ($note)}. Nothing was installed."
  fi
  present="$(printf '%s\n' "$detected" | cut -d' ' -f1)"
  listing="$(printf '%s\n' "$detected" | sed -E 's/^([0-9]+) /  GPU \1: /')"
  if [ -z "$gpus" ]; then
    for n in $present; do instances+=("$n"); done
  else
    missing="" chosen=" "
    for n in ${gpus//,/ }; do
      n=$((10#$n))  # 02 is GPU 2
      if ! printf '%s\n' "$present" | grep -qxF "$n"; then
        missing="${missing:+$missing, }$n"
      elif [[ "$chosen" != *" $n "* ]]; then
        chosen="$chosen$n "
        instances+=("$n")
      fi
    done
    if [ -n "$missing" ]; then
      fail "--gpus $gpus: this machine has no GPU $missing. Its GPUs (studio-worker gpu):
$listing
Nothing was installed."
    fi
  fi
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
register() { # <config path>
  # ${a[@]+...}: an empty array is an unbound variable to bash 4.3 and older under set -u.
  ${as_worker[@]+"${as_worker[@]}"} "$dest/current/bin/studio-worker" --config "$prefix$1" \
    register --api-base-url "$studio"
}
if [ -n "$studio" ] && [ "$per_gpu" = 0 ]; then
  register "$config"
elif [ -n "$studio" ]; then
  # Each worker's own config; one that exists keeps its identity when the studio is the same.
  for n in "${instances[@]}"; do register "$config_base/gpu-$n/config.toml"; done
fi

# The command on PATH: a link to the launcher through `current`, so it follows updates.
mkdir -p "$prefix$bin"
ln -sfn "$root/current/bin/studio-worker" "$prefix$bin/studio-worker"
echo "command: $bin/studio-worker -> $root/current/bin/studio-worker"
if [ "$system" = 0 ]; then
  case ":$PATH:" in *":$bin:"*) ;; *) echo "  ($bin is not on your PATH; add it, or call the launcher by its full path)" ;; esac
fi

# The unit names the config explicitly, so that the path printed below is the one it reads.
write_unit() { # <unit in systemd/> <final path>
  mkdir -p "$(dirname "$prefix$2")"
  sed -e "s|@ROOT@|$root|g" -e "s|@USER@|studio-worker|g" -e "s|@HOME@|$home|g" \
    -e "s|@CONFIG@|$config|g" -e "s|@CONFIG_BASE@|$config_base|g" "$here/systemd/$1" > "$prefix$2"
  if [ "$system" = 0 ]; then
    # A user manager has no network-online.target and runs as its user: no User=, default.target.
    sed -i -e '/^User=/d' -e '/network-online.target/d' -e 's/multi-user.target/default.target/' \
      "$prefix$2"
  fi
}

if [ "$per_gpu" = 0 ]; then
  write_unit studio-worker.service "$unit"
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
  exit 0
fi

# One worker per GPU: the template, and an instance per GPU. An instance already enabled is left
# as it is, and no config directory is touched here: each worker makes its own on its first start.
write_unit studio-worker@.service "$template"
echo "service: $template (one instance per GPU)"
units=()
for n in "${instances[@]}"; do units+=("studio-worker@$n.service"); done
if [ "$run_ctl" = 1 ]; then
  $ctl daemon-reload
  if $ctl is-enabled --quiet studio-worker.service 2>/dev/null; then
    # Two workers on one GPU would each admit jobs for memory the other is using.
    $ctl disable --now studio-worker.service
    echo "  disabled studio-worker.service, the one worker for the whole machine: the GPUs' workers"
    echo "  replace it. Its config ($config) is kept; remove that worker in the studio if it was approved."
  fi
  added=()
  for n in "${instances[@]}"; do
    if $ctl is-enabled --quiet "studio-worker@$n.service" 2>/dev/null; then
      echo "  studio-worker@$n: already enabled, left as it is"
    else
      added+=("studio-worker@$n.service")
    fi
  done
  if [ "${#added[@]}" -gt 0 ]; then
    # --no-block, as for studio-worker.service: started once each reaches the studio.
    $ctl enable --now --no-block "${added[@]}"
    for unit_name in "${added[@]}"; do
      echo "  ${unit_name%.service}: enabled and starting"
    done
  fi
else
  echo "  not started (--prefix): $ctl daemon-reload && $ctl enable --now ${units[*]}"
  echo "  (and $ctl disable --now studio-worker.service, if that one is enabled)"
fi

host="$(uname -n)"
echo
echo "One worker per GPU, each pinned to its GPU with its own config directory:"
for n in "${instances[@]}"; do
  name="$(printf '%s\n' "$detected" | sed -n -E "s/^$n //p")"
  echo "  studio-worker@$n  GPU $n ($name)  config: $config_base/gpu-$n/config.toml"
done
cat <<MSG

status:  ${status_as}$bin/studio-worker --config $config_base/gpu-<N>/config.toml status
service: $ctl status studio-worker@<N>
logs:    $journal@<N> -f

Next: approve the workers in the studio. Each asks to join on its first start: the studio's Workers
page shows one pending request per GPU, named "$host GPU <N>"; approve each (a worker polls every
30 s, so it connects within half a minute of its approval).

Add a GPU (3):   run this install.sh again with --per-gpu --gpus 3 (and --studio), or by hand:
                 ${status_as}$bin/studio-worker --config $config_base/gpu-3/config.toml register --api-base-url <studio>
                 $ctl enable --now studio-worker@3
Remove one (2):  $ctl disable --now studio-worker@2, then delete $config_base/gpu-2
                 (its identity) and remove "$host GPU 2" in the studio
MSG
