#!/usr/bin/env bash
# CI step for the container files: static lint, then a podman build and smoke run of the image
# (scripts/container-smoke.sh). Skipped, with the reason, where podman cannot be installed or
# does not work; a failing lint, build or smoke check fails CI.
# Cold (no podman storage yet): about 4-5 minutes; warm (storage reused under /var/tmp): seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

skip() {
  echo "container check SKIPPED: $*"
  exit 0
}

started=$SECONDS
bash scripts/lint-container-files.sh

# The benchmark (bench/, built by tsconfig.bench.json into dist-bench/) must not ship: build what
# the image builds — the .dockerignore allow-list's files, `npm run build` — in a scratch copy and
# fail when any bench file lands in its dist/. Runs with or without podman.
no_bench_in_dist() {
  local dir found
  dir="$(mktemp -d)"
  cp package.json package-lock.json tsconfig.json "$dir/" && cp -r src "$dir/src" && ln -s "$PWD/node_modules" "$dir/node_modules"
  (cd "$dir" && npx tsc -p tsconfig.json) || { rm -rf "$dir"; echo "container check FAILED: npm run build fails in a copy of the build context"; exit 1; }
  found="$(cd "$dir" && find dist -ipath '*bench*' | head -5)"
  rm -rf "$dir"
  [[ -z "$found" ]] || { echo "container check FAILED: the image's dist/ holds bench code: $found"; exit 1; }
  echo "container check: dist/ of the image's build holds no bench code."
}
no_bench_in_dist

[[ "$(id -u)" == 0 ]] || command -v podman >/dev/null || skip "podman is missing and installing it needs root."
bash scripts/container-smoke.sh --install-only || skip "podman and its helpers could not be installed with apt-get."
eval "$(bash scripts/container-smoke.sh --print-env)"
timeout 120 podman info >/dev/null 2>&1 || skip "podman is installed but 'podman info' fails on this machine."

bash scripts/container-smoke.sh
echo "container check passed in $((SECONDS - started)) s"
