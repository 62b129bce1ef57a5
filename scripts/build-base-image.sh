#!/usr/bin/env bash
# Builds a local stand-in for the official `node:20-bookworm-slim` image, for machines that
# cannot reach Docker Hub (see shared/reference/build-here.md, "Containers without a Docker
# engine"). The Dockerfile stays unchanged: `podman build --pull=never` resolves its
# `FROM node:20-bookworm-slim` to `localhost/node:20-bookworm-slim`.
#
# What it holds: a Debian bookworm minbase root made by debootstrap from the mirror apt already
# uses, this machine's node binary at /usr/local/bin/node, npm under /usr/local/lib/node_modules
# with npm/npx links, Node's headers at /usr/local/include/node (for node-gyp with
# npm_config_nodedir=/usr/local), and user/group `node` with uid/gid 1000 — the parts of the real
# image a Dockerfile relies on. Missing compared with the real image: yarn, corepack and
# docker-entrypoint.sh.
#
# Idempotent: does nothing when the image is already in the storage (`--force` rebuilds).
# Podman must be configured first; when CONTAINERS_CONF is unset this script borrows the
# configuration that scripts/container-smoke.sh writes.
#
# Usage: scripts/build-base-image.sh [--force]
set -euo pipefail

IMAGE="localhost/node:20-bookworm-slim"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

die() { echo "build-base-image: $*" >&2; exit 1; }

force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    *) echo "usage: $0 [--force]" >&2; exit 2 ;;
  esac
done

if [[ -z "${CONTAINERS_CONF:-}" || -z "${CONTAINERS_STORAGE_CONF:-}" ]]; then
  eval "$(bash "$here/container-smoke.sh" --print-env)"
fi

command -v podman >/dev/null || die "podman is not installed (scripts/container-smoke.sh installs it)."
command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)."

if [[ "$force" == 0 ]] && podman image exists "$IMAGE"; then
  echo "build-base-image: $IMAGE already present, skipping."
  exit 0
fi

# The Debian mirror apt already uses: the first URI of a bookworm (not -security) entry, in either
# the one-line or the deb822 format. MIRROR overrides it.
find_mirror() {
  local suite_wanted="$1" f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -r "$f" ]] || continue
    awk -v want="$suite_wanted" '
      /^[[:space:]]*deb[[:space:]]/ {
        for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { uri = $i; suite = $(i + 1); break }
        if (suite == want) { print uri; exit }
      }
      /^URIs:/   { uri = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == want) { print uri; exit } }
    ' "$f"
  done | head -n 1
}

mirror="${MIRROR:-$(find_mirror bookworm)}"
# The security archive, also as this machine configures it (empty: the image gets none).
security_mirror="${SECURITY_MIRROR:-$(find_mirror bookworm-security)}"
[[ -n "$mirror" ]] || die "no bookworm mirror found in /etc/apt/sources.list*; set MIRROR=http://..."

node_bin="$(readlink -f "$(command -v node)")"
npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"   # .../node_modules/npm
node_prefix="$(dirname "$(dirname "$node_bin")")"
headers=""
for candidate in "$node_prefix/include/node" /usr/include/node /usr/local/include/node; do
  [[ -f "$candidate/node_version.h" ]] && { headers="$candidate"; break; }
done
[[ -x "$node_bin" ]] || die "node not found."
[[ -f "$npm_dir/bin/npm-cli.js" ]] || die "npm not found (looked in $npm_dir)."
[[ -n "$headers" ]] || die "Node's headers (node_version.h) not found; install the nodejs headers."
node_version="$("$node_bin" -p 'process.versions.node')"
[[ "$node_version" == 20.* ]] || die "this machine's node is $node_version; the stand-in must be Node 20."

work_root="${SCS_PODMAN_DIR:-/var/tmp/scs-podman}"
mkdir -p "$work_root"
rootfs="$(mktemp -d "$work_root/rootfs.XXXXXX")"
cleanup() { rm -rf --one-file-system "$rootfs"; }
trap cleanup EXIT

started=$SECONDS
echo "build-base-image: debootstrap bookworm (minbase) from $mirror ..."
if ! debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work_root/debootstrap.log" 2>&1; then
  tail -n 20 "$work_root/debootstrap.log" >&2
  die "debootstrap failed (full log: $work_root/debootstrap.log)."
fi

# The image's apt sources are this machine's own (the mirror above and its security archive), in
# the official image's deb822 layout; no archive host is written into this repository.
rm -f "$rootfs/etc/apt/sources.list"
{
  printf 'Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror"
  if [[ -n "$security_mirror" ]]; then
    printf '\nTypes: deb\nURIs: %s\nSuites: bookworm-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$security_mirror"
  else
    echo "build-base-image: no bookworm-security entry in this machine's apt sources; the image gets none (set SECURITY_MIRROR)." >&2
  fi
} >"$rootfs/etc/apt/sources.list.d/debian.sources"

# The apt and dpkg settings of Debian's official docker images (debuerreotype, slim variant): no
# package caches or lists left in layers, no docs or man pages installed.
cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
echo 'Acquire::GzipIndexes "true";' >"$rootfs/etc/apt/apt.conf.d/docker-gzip-indexes"
echo 'Acquire::Languages "none";' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$rootfs/etc/apt/apt.conf.d/docker-autoremove-suggests"
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/info/*
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/*
EOF
# Like the slim image: no package lists or cached .debs, so a Dockerfile must `apt-get update`.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*

echo "build-base-image: adding node $node_version, npm $("$node_bin" "$npm_dir/bin/npm-cli.js" --version), headers ..."
install -D -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/usr/local/lib/node_modules" "$rootfs/usr/local/include"
cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
cp -a "$headers" "$rootfs/usr/local/include/node"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

chroot "$rootfs" groupadd --gid 1000 node
chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
chroot "$rootfs" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin node -e 'process.exit(0)' \
  || die "node does not run inside the new root."

echo "build-base-image: importing as $IMAGE ..."
tar --numeric-owner -C "$rootfs" -c . | podman import --quiet \
  --change "ENV NODE_VERSION=$node_version" \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["node"]' \
  --message "stand-in for node:20-bookworm-slim (debootstrap + host node $node_version)" \
  - "$IMAGE" >/dev/null

echo "build-base-image: done in $((SECONDS - started)) s ($(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1000000}'))."
