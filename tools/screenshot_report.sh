#!/usr/bin/env bash
# Render a report.html in headless Chromium and save a full-page PNG screenshot.
# Usage: tools/screenshot_report.sh REPORT.html OUT.png [WIDTH] [HEIGHT]
# Exit 0 when the screenshot was written and is non-empty; 2 when chromium is absent.
set -euo pipefail
report="$(realpath "$1")"; out="$2"; width="${3:-1200}"; height="${4:-6000}"
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -z "$browser" ]; then echo "chromium not found (apt-get install -y chromium)" >&2; exit 2; fi
rm -f "$out"
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --disable-dev-shm-usage \
  --no-first-run --disable-extensions --virtual-time-budget=5000 \
  --window-size="${width},${height}" --screenshot="$(realpath -m "$out")" "file://${report}" \
  >/dev/null 2>&1 || true
[ -s "$out" ] || { echo "no screenshot written" >&2; exit 1; }
echo "$out"
