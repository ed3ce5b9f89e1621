#!/usr/bin/env bash
# Checks openapi/openapi.json as the people who generate clients from it will use it: Redocly's
# linter (0 errors), openapi-typescript with its default options, and openapi-python-client.
# Usage: run.sh <virtualenv with requirements.txt installed>. Called by `make spec-check`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
spec="$here/../openapi.json"
venv="$1"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

cd "$here"
npm ci --no-audit --no-fund --silent
# Redocly prints a notice about Node 20 on every run; its verdict is the exit status.
npx --no-install redocly lint "$spec" --config redocly.yaml --format=stylish

npx --no-install openapi-typescript "$spec" -o "$out/schema.d.ts"
# An object without properties comes out as `Record<string, never>` (nothing can be put in it),
# and a body without a schema as `unknown`: either means a schema the code did not type. The
# two empty top-level sections openapi-typescript always writes (no webhooks, no $defs) are not
# schemas.
untyped="$(
    grep -nE 'Record<string, never>|: unknown;$|unknown\[\]' "$out/schema.d.ts" |
        grep -vE '^[0-9]+:export type (webhooks|\$defs) = Record<string, never>;$' |
        grep -vE '^[0-9]+: +\[(name|key): string\]: unknown;$' || true
)"
if [ -n "$untyped" ]; then
    echo "$untyped" >&2
    echo "spec-check: openapi-typescript found untyped schemas (above)" >&2
    exit 1
fi

"$venv/bin/openapi-python-client" generate --path "$spec" --output-path "$out/python" \
    --meta none --config python-client.yaml >"$out/python.log" 2>&1 || {
    cat "$out/python.log" >&2
    echo "spec-check: openapi-python-client failed" >&2
    exit 1
}
# It generates despite what it cannot parse, with a warning per operation. The one allowed: the
# media download answers with the file's own type (`*/*`), which it has no model for.
log="$out/python.log"
unexpected="$(
    grep -E "^(WARNING|ERROR)" "$log" | grep -vF "WARNING parsing GET /api/v1/messages/{id}/media within" || true
    grep -E "^(Cannot|Unable|Unsupported|Error)" "$log" | grep -vF "(Unsupported content_type */*)" || true
)"
if [ -n "$unexpected" ] || grep -q "Error(s) encountered" "$log"; then
    cat "$log" >&2
    echo "spec-check: openapi-python-client could not generate part of the client" >&2
    exit 1
fi
echo "spec-check: the spec lints clean and generates TypeScript and Python clients"
