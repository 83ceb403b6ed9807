#!/usr/bin/env bash
# npm run test:playground: walks every *.scenario.json in this folder through the Microsoft 365 Agents Playground
# in headless Chromium (the shared walker installs Debian's chromium on first use), each against a freshly
# started bot with an empty data folder. Screenshots and transcripts go to test/artifacts/playground/NAME/.
set -uo pipefail
cd "$(dirname "$0")/../.."
WALKER="${PLAYGROUND_WALKER:-../shared/tools/playground/run-with-bot.sh}"
if [ ! -f "$WALKER" ]; then
  echo "test:playground: the Playground walker is not at $WALKER (set PLAYGROUND_WALKER)" >&2
  exit 2
fi
status=0
for scenario in test/playground/*.scenario.json; do
  name="$(basename "$scenario" .scenario.json)"
  # NAME.ROLE.scenario.json runs as that person of the example team (bot/playground-config.ts).
  role="${name#*.}"; [ "$role" = "$name" ] && role=verwijzer
  out="test/artifacts/playground/$name"
  data="$(mktemp -d)"
  rm -rf "$out"
  mkdir -p "$(dirname "$out")"
  echo "== $name"
  npx --no-install tsx bot/playground-config.ts "$role" >"$data/playground.yml"
  PLAYGROUND_CONFIG="$data/playground.yml" bash "$WALKER" "DATA_DIR=$data npm start" "$scenario" "$out" >"$out.log" 2>&1
  code=$?
  if [ $code -ne 0 ]; then
    # A walk drives a real browser; one more try with a fresh bot tells a timing hiccup from a real failure.
    # The first attempt stays in $out-first-try/ and is reported either way.
    echo "   $name: failed on the first try (exit $code); trying once more. First attempt: $out-first-try/" >&2
    rm -rf "$out-first-try" && mv "$out" "$out-first-try" && mv "$out.log" "$out-first-try/walker.log"
    rm -rf "$data" && data="$(mktemp -d)"
    npx --no-install tsx bot/playground-config.ts "$role" >"$data/playground.yml"
    PLAYGROUND_CONFIG="$data/playground.yml" bash "$WALKER" "DATA_DIR=$data npm start" "$scenario" "$out" >"$out.log" 2>&1
    code=$?
  fi
  mv "$out.log" "$out/walker.log" 2>/dev/null || true
  if [ $code -eq 0 ]; then
    echo "   $name: $(grep -E '^PASSED' "$out/walker.log" || echo passed)"
  else
    echo "   $name: FAILED (exit $code); see $out/ (walker.log, transcript.txt, fail-step-*.png, bot.log)" >&2
    grep -vE '^ok ' "$out/walker.log" | tail -n 25 >&2
    status=1
  fi
  rm -rf "$data"
done
exit $status
