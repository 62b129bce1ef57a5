#!/usr/bin/env bash
# Installs the Debian packages the tests need, when their command is missing:
# - php (php-cli): test/cashman-php-contract.test.ts proves our request bodies against PHP's own
#   unserialize() (the Cashman server is PHP);
# - strace: test/intent-sync-order.test.ts reads the real daemon's system calls to prove that every
#   Cashman request's first byte follows the fsync of its intent;
# - a C compiler, for the disk-fault shim of test/review-disk-faults.test.ts.
set -euo pipefail
missing=()
command -v php >/dev/null 2>&1 || missing+=(php-cli)
command -v strace >/dev/null 2>&1 || missing+=(strace)
# cc builds the preloaded fsync shim of test/review-disk-faults.test.ts (npm ci needs it anyway).
command -v cc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
php -v | head -n 1
strace -V | head -n 1
