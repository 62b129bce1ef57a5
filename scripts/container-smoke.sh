#!/usr/bin/env bash
# Builds the project's Dockerfile with podman and runs the image the way a shop owner would,
# on a machine without a Docker engine or Docker Hub (shared/reference/build-here.md).
#
#   1. installs podman & co with apt-get when missing;
#   2. writes podman's configuration (runc, cgroupfs, file events, ulimits, overlay storage) into
#      $SCS_PODMAN_DIR before the first podman call — the storage is kept there, so a second run
#      reuses the base image and the build cache and takes seconds;
#   3. builds the stand-in base image localhost/node:20-bookworm-slim when missing;
#   4. `podman build --pull=never` of the unchanged Dockerfile, lending the host's CA bundle and an
#      npmrc pointing at it to the RUN steps (a read-only mount: never part of the image);
#   5. runs the image: non-root user, tini entrypoint, HEALTHCHECK present, no bench code (the
#      stand-ins are there); `health` on an empty data volume fails; `demo` exits 0 and prints drafts; `health` on that same volume then
#      passes, and so does the image's HEALTHCHECK; a config with an unknown key stops the start
#      with exit code 2; `run` with the example config keeps running and exits 0 on SIGTERM;
#   6. docker-compose.yml through Debian's docker-compose 1.29 against podman's Docker API:
#      `run --rm sync demo` and `run --rm sync health` on the compose volume, then `down -v`.
#
# Usage: scripts/container-smoke.sh               run everything
#        scripts/container-smoke.sh --install-only  only step 1 (exit 1 when it cannot)
#        scripts/container-smoke.sh --print-env     write the podman config, print `export` lines
# Env:   SCS_PODMAN_DIR  podman config + storage (default /var/tmp/scs-podman)
#        SCS_CONTEXT     build context holding the Dockerfile (default: this repository)
#        SCS_IMAGE       tag to build (default localhost/shoprenter-cashman-sync:latest)
#        SCS_STORAGE_MAX_MB  above this the storage is pruned before building (default 8000)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
podman_dir="${SCS_PODMAN_DIR:-/var/tmp/scs-podman}"
context="${SCS_CONTEXT:-$repo}"
image="${SCS_IMAGE:-localhost/shoprenter-cashman-sync:latest}"
compose_image="localhost/shoprenter-cashman-sync:latest"   # what docker-compose.yml names
ca_bundle=/etc/ssl/certs/ca-certificates.crt

log() { echo "container-smoke: $*"; }
die() { echo "container-smoke: FAILED: $*" >&2; exit 1; }

# --- podman configuration (must exist before podman's very first call on this storage) --------
write_podman_conf() {
  mkdir -p "$podman_dir/conf" "$podman_dir/storage"
  # runroot and tmp_dir hold per-boot state; this machine's /run is not a tmpfs, so clear them
  # ourselves after a reboot instead of letting podman trust stale locks.
  local boot_id
  boot_id="$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)"
  if [[ "$(cat "$podman_dir/boot_id" 2>/dev/null)" != "$boot_id" ]]; then
    rm -rf "$podman_dir/run" "$podman_dir/tmp"
    echo "$boot_id" >"$podman_dir/boot_id"
  fi
  mkdir -p "$podman_dir/run" "$podman_dir/tmp"
  cat >"$podman_dir/conf/containers.conf" <<EOF
# Written by scripts/container-smoke.sh. crun refuses this machine's hybrid cgroups; podman's
# default ulimits exceed the machine's own.
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$podman_dir/run/events.log"
tmp_dir = "$podman_dir/tmp"
EOF
  cat >"$podman_dir/conf/storage.conf" <<EOF
# Written by scripts/container-smoke.sh. The driver is recorded on first use of graphroot:
# never change it for an existing storage directory.
[storage]
driver = "overlay"
graphroot = "$podman_dir/storage"
runroot = "$podman_dir/run/storage"
EOF
  cat >"$podman_dir/conf/registries.conf" <<'EOF'
# No registry is reachable from here: short names resolve only to local images.
unqualified-search-registries = []
short-name-mode = "permissive"
EOF
}

print_env() {
  echo "export CONTAINERS_CONF='$podman_dir/conf/containers.conf'"
  echo "export CONTAINERS_STORAGE_CONF='$podman_dir/conf/storage.conf'"
  echo "export CONTAINERS_REGISTRIES_CONF='$podman_dir/conf/registries.conf'"
}

mode="${1:-all}"
case "$mode" in
  --print-env) write_podman_conf; print_env; exit 0 ;;
  --install-only | all) ;;
  *) echo "usage: $0 [--install-only | --print-env]" >&2; exit 2 ;;
esac

started=$SECONDS

# --- 1. packages ------------------------------------------------------------------------------
missing=()
command -v podman >/dev/null || missing+=(podman)
command -v runc >/dev/null || missing+=(runc)
[[ -x /usr/lib/cni/bridge ]] || missing+=(containernetworking-plugins)
command -v iptables >/dev/null || missing+=(iptables)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v docker-compose >/dev/null || missing+=(docker-compose)
[[ -x /usr/libexec/podman/catatonit ]] || missing+=(catatonit)   # compose's `init: true`
if ((${#missing[@]})); then
  log "installing ${missing[*]} ..."
  [[ "$(id -u)" == 0 ]] || die "need root to apt-get install ${missing[*]}."
  export DEBIAN_FRONTEND=noninteractive
  apt_log="$(mktemp)"
  if ! { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } >"$apt_log" 2>&1; then
    tail -n 20 "$apt_log" >&2
    die "apt-get install ${missing[*]} failed."
  fi
  rm -f "$apt_log"
fi
[[ "$mode" == all ]] || exit 0

# --- 2. configuration -------------------------------------------------------------------------
write_podman_conf
eval "$(print_env)"

# Each changed package-lock.json leaves ~650 MB of build-stage layers behind; keep it bounded.
storage_mb="$(du -sm "$podman_dir/storage" | cut -f1)"
if ((storage_mb > ${SCS_STORAGE_MAX_MB:-8000})); then
  log "storage holds ${storage_mb} MB: removing every image (the next build starts cold) ..."
  podman image prune -a -f >/dev/null
fi

# --- 3. base image ----------------------------------------------------------------------------
bash "$here/build-base-image.sh"

# --- 4. build ---------------------------------------------------------------------------------
[[ -f "$context/Dockerfile" ]] || die "no Dockerfile in $context."
[[ -r "$ca_bundle" ]] || die "CA bundle $ca_bundle missing."
# HTTPS from inside the build goes through this machine's egress, signed by a local CA. The
# bundle and an npmrc naming it are lent read-only to every RUN step as /usr/local/etc (npm's
# global config directory for prefix /usr/local; it exists and is empty in the base image).
# Mounting over an existing directory leaves nothing behind in the layers, whereas a file mount
# at a missing path (e.g. /etc/ssl/certs/...) leaves an empty placeholder file in the image.
build_etc="$podman_dir/build-etc"
mkdir -p "$build_etc"
cp "$ca_bundle" "$build_etc/ca-certificates.crt"
printf 'cafile=/usr/local/etc/ca-certificates.crt\nupdate-notifier=false\n' >"$build_etc/npmrc"
build_log="$podman_dir/build.log"
log "building $image from $context (log: $build_log) ..."
build_started=$SECONDS
# --format docker: the OCI image format has no HEALTHCHECK.
if ! podman build --pull=never --format docker \
  -v "$build_etc:/usr/local/etc:ro" \
  -t "$image" "$context" >"$build_log" 2>&1; then
  tail -n 40 "$build_log" >&2
  die "podman build failed (full log: $build_log)."
fi
build_seconds=$((SECONDS - build_started))
log "built in ${build_seconds} s."

# --- 5. run -----------------------------------------------------------------------------------
suffix="$$"
volume="scs-smoke-data-$suffix"
scratch="$(mktemp -d)"
service_pid=""
cleanup() {
  if [[ -n "$service_pid" ]]; then
    (cd "$scratch/compose" && docker-compose -p "scs-smoke-$suffix" down -v >/dev/null 2>&1) || true
    kill "$service_pid" 2>/dev/null || true
    wait "$service_pid" 2>/dev/null || true
  fi
  podman rm -f -t 0 --ignore "scs-smoke-hc-$suffix" "scs-smoke-run-$suffix" >/dev/null 2>&1 || true
  podman volume rm -f "$volume" >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap cleanup EXIT
podman volume create "$volume" >/dev/null

# Runs the image with a time limit; prints its output to $scratch/out, returns its exit code.
run_image() {
  local name="scs-smoke-$suffix-$RANDOM" rc=0
  # --no-healthcheck: these runs are one-shot; podman would try to schedule the checks via systemd.
  timeout 180 podman run --rm --name "$name" --network=host --no-healthcheck "$@" >"$scratch/out" 2>&1 || rc=$?
  if [[ $rc == 124 ]]; then
    podman rm -f --ignore "$name" >/dev/null 2>&1 || true
    echo "(timed out after 180 s)" >>"$scratch/out"
  fi
  return $rc
}
show_out() { sed 's/^/    | /' "$scratch/out" | tail -n "${1:-30}"; }

# Image metadata: tini as PID 1, the HEALTHCHECK, a non-root user.
entrypoint="$(podman image inspect --format '{{json .Config.Entrypoint}}' "$image")"
[[ "$entrypoint" == '["tini","--","node","dist/main.js"]' ]] || die "unexpected ENTRYPOINT $entrypoint."
healthcheck="$(podman image inspect --format '{{json .Config.Healthcheck}}' "$image")"
[[ "$healthcheck" == *health* ]] || die "the image has no HEALTHCHECK calling health (got $healthcheck)."
uid="$(podman run --rm --no-healthcheck --entrypoint id "$image" -u)"
[[ "$uid" =~ ^[0-9]+$ && "$uid" != 0 ]] || die "the container runs as uid '$uid', expected non-root."
log "ok: entrypoint $entrypoint, uid $uid, healthcheck present."
# The benchmark (bench/ → dist-bench/) stays out of the image; the stand-ins stay (demo uses them).
bench_files="$(podman run --rm --no-healthcheck --entrypoint find "$image" /app -ipath '*bench*' -not -path '/app/node_modules/*')"
[[ -z "$bench_files" ]] || die "the image holds bench code: $(head -n 3 <<<"$bench_files")"
podman run --rm --no-healthcheck --entrypoint test "$image" -d /app/dist/standins || die "the image lacks dist/standins (demo needs it)."
log "ok: no bench code in the image; the stand-ins are there."

# health on an empty data volume: no successful cycle yet, so it must fail.
rc=0; run_image -v "$volume:/data" "$image" health || rc=$?
[[ $rc != 0 ]] || { show_out; die "health exited 0 on an empty data volume."; }
log "ok: health on an empty volume exits $rc."

# demo: the real daemon against built-in stand-ins, told to record its cycles in /data/sync.db
# (by default demo keeps its ledger in a temp folder so it can never touch a real one).
demo_started=$SECONDS
rc=0; run_image -v "$volume:/data" "$image" demo --database /data/sync.db || rc=$?
[[ $rc == 0 ]] || { show_out 40; die "demo exited $rc, expected 0."; }
grep -qi 'draft' "$scratch/out" || { show_out 40; die "demo printed no drafts."; }
log "ok: demo exits 0 in $((SECONDS - demo_started)) s and prints drafts:"
grep -i 'draft' "$scratch/out" | head -n 5 | sed 's/^/    | /'

# health on the volume the demo just used: its cycle was successful and recent.
rc=0; run_image -v "$volume:/data" "$image" health || rc=$?
[[ $rc == 0 ]] || { show_out; die "health exited $rc after a successful demo on the same volume, expected 0."; }
log "ok: health after demo exits 0."

# The image's own HEALTHCHECK, run by podman inside a long-lived container on that volume.
checked="scs-smoke-hc-$suffix"
podman run -d --name "$checked" --network=host -v "$volume:/data" --entrypoint tini "$image" -- sleep 120 \
  >/dev/null 2>"$scratch/hc-start" || { cat "$scratch/hc-start"; die "could not start a container for the HEALTHCHECK."; }
rc=0; podman healthcheck run "$checked" >"$scratch/out" 2>&1 || rc=$?
podman rm -f -t 0 "$checked" >/dev/null 2>&1 || true
[[ $rc == 0 ]] || { show_out; die "the image's HEALTHCHECK reports unhealthy (exit $rc) after a successful demo."; }
log "ok: HEALTHCHECK healthy."

# A config with an unknown key, mounted like compose does: the start must stop with exit code 2
# and name the key. Dummy credentials keep the environment from being the reason.
mkdir -p "$scratch/config"
example="$context/config/config.example.yaml"
if [[ -f "$example" ]]; then cp "$example" "$scratch/config/config.yaml"; else echo "version: 1" >"$scratch/config/config.yaml"; fi
printf '\nsmokeUnknownKey: true\n' >>"$scratch/config/config.yaml"
chmod -R a+rX "$scratch"
# Port 9 (discard) on loopback: nothing listens there, every call is refused at once.
dummy_env=(-e SHOPRENTER_SHOP=smoke -e SHOPRENTER_CLIENT_ID=smoke -e SHOPRENTER_CLIENT_SECRET=smoke
  -e CASHMAN_GROUP=smoke -e CASHMAN_USER=smoke -e CASHMAN_PASSWORD=smoke
  -e SHOPRENTER_API_URL=http://127.0.0.1:9/api -e SHOPRENTER_TOKEN_URL=http://127.0.0.1:9/token
  -e CASHMAN_API_URL=http://127.0.0.1:9/jxs.php)
rc=0; run_image -v "$scratch/config:/app/config:ro" -v "$volume:/data" "${dummy_env[@]}" "$image" run || rc=$?
[[ $rc == 2 ]] || { show_out; die "a config with an unknown key made 'run' exit $rc, expected 2."; }
grep -q smokeUnknownKey "$scratch/out" || { show_out; die "the bad-config error does not name the unknown key."; }
log "ok: unknown config key stops the start with exit 2: $(grep -m1 smokeUnknownKey "$scratch/out")"

# docker-compose.yml, the way a shop owner types it, through podman's Docker-compatible API.
compose_started=$SECONDS
socket="$podman_dir/run/docker.sock"
rm -f "$socket"
podman system service --time=0 "unix://$socket" >"$podman_dir/run/service.log" 2>&1 &
service_pid=$!
for _ in $(seq 50); do [[ -S "$socket" ]] && break; sleep 0.1; done
[[ -S "$socket" ]] || die "podman system service did not start (log: $podman_dir/run/service.log)."
export DOCKER_HOST="unix://$socket"
[[ "$image" == "$compose_image" ]] || podman tag "$image" "$compose_image"
mkdir -p "$scratch/compose/config"
cp "$repo/docker-compose.yml" "$scratch/compose/"
# A .env made the way the README says: a copy of .env.example (no secrets needed for demo).
if [[ -f "$repo/.env.example" ]]; then cp "$repo/.env.example" "$scratch/compose/.env"; else touch "$scratch/compose/.env"; fi
compose() { (cd "$scratch/compose" && timeout 180 docker-compose -p "scs-smoke-$suffix" "$@"); }
rc=0; compose run --rm sync demo --database /data/sync.db >"$scratch/out" 2>&1 || rc=$?
[[ $rc == 0 ]] || { show_out 40; die "'docker-compose run --rm sync demo' exited $rc, expected 0."; }
rc=0; compose run --rm sync health >"$scratch/out" 2>&1 || rc=$?
[[ $rc == 0 ]] || { show_out; die "'docker-compose run --rm sync health' after demo exited $rc, expected 0."; }
compose down -v >"$scratch/out" 2>&1 || { show_out; die "'docker-compose down -v' failed."; }
log "ok: docker-compose run --rm sync demo / health, down -v ($((SECONDS - compose_started)) s)."

# The daemon under tini: `run` with the example config and unreachable remotes keeps running
# (a failing cycle never stops it); SIGTERM, as `docker compose stop` sends it, ends it with 0.
if [[ -f "$example" ]]; then cp "$example" "$scratch/config/config.yaml"; fi
daemon="scs-smoke-run-$suffix"
podman run -d --name "$daemon" --network=host --no-healthcheck \
  -v "$scratch/config:/app/config:ro" -v "$volume:/data" "${dummy_env[@]}" "$image" run \
  >/dev/null 2>"$scratch/out" || { show_out; die "could not start the daemon container."; }
sleep 5
state="$(podman inspect --format '{{.State.Status}}' "$daemon")"
if [[ "$state" != running ]]; then
  podman logs "$daemon" >"$scratch/out" 2>&1 || true
  show_out; die "'run' with the example config stopped by itself (state $state)."
fi
stop_started=$SECONDS
podman stop -t 30 "$daemon" >/dev/null
stop_seconds=$((SECONDS - stop_started))
rc="$(podman inspect --format '{{.State.ExitCode}}' "$daemon")"
podman logs "$daemon" >"$scratch/out" 2>&1 || true
podman rm -f "$daemon" >/dev/null 2>&1 || true
[[ "$rc" == 0 ]] || { show_out; die "'run' exited $rc on SIGTERM, expected 0."; }
log "ok: 'run' keeps running with unreachable remotes and exits 0 on SIGTERM (${stop_seconds} s)."

size_bytes="$(podman image inspect --format '{{.Size}}' "$image")"
log "PASSED: build ${build_seconds} s, total $((SECONDS - started)) s, image $image $((size_bytes / 1000000)) MB."
