#!/usr/bin/env bash
# Static checks of the container files, no container engine needed:
#   - Dockerfile: dockerfilelint (its exit code is the number of findings);
#   - docker-compose.yml: Debian's docker-compose 1.29 `config -q` (the oldest syntax this project
#     promises to support) and dclint (compose schema and conventions).
# dclint rules switched off, on purpose:
#   no-build-and-image                  `build` + `image` is how compose tags what it builds locally
#   service-image-require-explicit-tag  the image is built here, never pulled: `latest` is ours
#   require-project-name-field          docker-compose 1.29 rejects the top-level `name`
# Usage: scripts/lint-container-files.sh   (installs docker-compose with apt-get when missing)
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
failed=()

run_check() {
  local name="$1"; shift
  echo "lint-container-files: $name"
  if "$@"; then echo "lint-container-files: $name: ok"; else failed+=("$name"); fi
}

if ! command -v docker-compose >/dev/null; then
  echo "lint-container-files: installing docker-compose ..."
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -q && apt-get install -y -q --no-install-recommends docker-compose; } >/dev/null 2>&1 \
    || echo "lint-container-files: docker-compose could not be installed; skipping its check."
fi

run_check "dockerfilelint Dockerfile" \
  npx --yes dockerfilelint@1.8.0 "$repo/Dockerfile"

# `config -q` needs the env_file to exist; .env holds secrets and is never in the repository, so
# the file is checked from a scratch copy with an empty one (paths are not checked by `config`).
compose_check() {
  local dir rc=0
  dir="$(mktemp -d)"
  cp "$repo/docker-compose.yml" "$dir/" && touch "$dir/.env"
  (cd "$dir" && docker-compose config -q) || rc=$?
  rm -rf "$dir"
  return $rc
}
if command -v docker-compose >/dev/null; then
  run_check "docker-compose config -q" compose_check
fi

run_check "dclint docker-compose.yml" \
  npx --yes dclint@3.1.0 "$repo/docker-compose.yml" --max-warnings 0 \
  --disable-rule no-build-and-image service-image-require-explicit-tag require-project-name-field

if ((${#failed[@]})); then
  echo "lint-container-files: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "lint-container-files: all checks passed."
