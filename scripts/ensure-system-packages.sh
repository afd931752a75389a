#!/usr/bin/env bash
# System packages the app and the test suite need: Debian's Chromium for the browser tests;
# for the briefing packs, the fonts WeasyPrint and matplotlib draw with (Noto CJK for Chinese,
# DejaVu) and the Pango library WeasyPrint lays text out with. Run by `make test` and `make run`.
# Installs them with apt-get when missing (as root, or with sudo); otherwise says what to run.
set -euo pipefail
missing=()
# `ensure-system-packages.sh run`: what serving needs (no browser)
[ "${1:-}" = run ] || [ -x /usr/bin/chromium ] || missing+=(chromium)
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
ls /usr/lib/*/libpango-1.0.so.0 >/dev/null 2>&1 || missing+=(libpango-1.0-0)
ls /usr/lib/*/libpangoft2-1.0.so.0 >/dev/null 2>&1 || missing+=(libpangoft2-1.0-0)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing system packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null; then
  SUDO="sudo"
else
  echo "error: need ${missing[*]}; run as root: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
