#!/usr/bin/env bash
# Installs php-cli when `php` is missing: test/cashman-php-contract.test.ts proves our request
# bodies against PHP's own unserialize() (the Cashman server is PHP) and fails without it.
set -euo pipefail
if command -v php >/dev/null 2>&1; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends php-cli >/dev/null
php -v | head -n 1
