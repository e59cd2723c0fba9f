#!/usr/bin/env bash
# Developer check (CI has no torch): regenerate the PyTorch fixtures into a temporary folder and
# diff them against the committed fixtures/ops.json and fixtures/ops-nn.json.
# Usage: tools/check-fixtures-fresh.sh    (needs Debian's python3-torch at /usr/bin/python3)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$root/tools/gen-torch-fixtures.py" --out "$tmp" --quiet
status=0
for f in ops.json ops-nn.json; do
  if ! cmp -s "$tmp/$f" "$root/fixtures/$f"; then
    echo "fixtures/$f is stale; rerun: /usr/bin/python3 tools/gen-torch-fixtures.py" >&2
    diff <(tr ',' '\n' < "$root/fixtures/$f") <(tr ',' '\n' < "$tmp/$f") | head -n 20 >&2 || true
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "fixtures are fresh"
exit "$status"
