#!/usr/bin/env bash
# The one command for a lent GPU machine (issue 17): run it through the device tool from the
# repository root with the kit carried, i.e. build the kit here first (`npm run gpu-kit`, which
# writes the ignored folder dist/gpu-kit and checks it fits the 64 MiB a call takes), then
#
#   run  command: bash scripts/device-run.sh     carry: ["dist/gpu-kit"]     timeout_s: 600
#
# It builds nothing and needs no Node, npm or network there. It runs the kit (dist/gpu-kit/run.sh:
# adapter, parity + the candidate sweep, 'thorough' tuning, our benchmarks, PyTorch, the other
# libraries, our CPU backend, in that order, each stage under its own time limit) within a total
# budget (default 500 s, well inside the tool's 10 minutes), and leaves in $OUT what the tool
# brings back (at most 8 files, none deeper than 2 folders):
#
#   SUMMARY.md          every stage's outcome and every table
#   run.log             the whole log
#   kit-results.tar.gz  every result file (JSON + Markdown), for bench/results/ once checked
#
# Arguments go to run.sh (--budget-s S, --sweep-filter RE; --smoke --allow-fallback for the kit's
# test on SwiftShader). Without $OUT (run by hand) results go to dist/device-results.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KIT=${GPU_KIT:-$ROOT/dist/gpu-kit}
DEST=${OUT:-$ROOT/dist/device-results}
mkdir -p "$DEST"
RES=$(mktemp -d "${TMPDIR:-/tmp}/wgt-results.XXXXXX")

if [ ! -x "$KIT/run.sh" ]; then
  msg="no kit at $KIT: build it with 'npm run gpu-kit' and pass carry [\"dist/gpu-kit\"] to the device tool"
  echo "device-run: $msg" | tee "$DEST/run.log"
  printf '# webgpu-trainer GPU kit\n\nNOT RUN: %s.\n' "$msg" > "$DEST/SUMMARY.md"
  exit 2
fi

# Unpacked inside the tree's copy rather than /tmp, which may be mounted noexec; removed after.
export KIT_WORK="$ROOT/dist/.gpu-kit-work"
rm -rf "$KIT_WORK"

# The kit keeps to its own budget; this outer limit only catches a kit that would not stop.
BUDGET=500
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do [ "${args[i]}" = --budget-s ] && BUDGET=${args[i + 1]}; done
timeout -k 10 $(( BUDGET + 40 )) bash "$KIT/run.sh" --out "$RES" "$@"
rc=$?
[ "$rc" = 124 ] || [ "$rc" = 137 ] && echo "device-run: the kit ran past $(( BUDGET + 40 )) s and was stopped" >> "$RES/run.log"

# What comes back: the summary (written again if the kit was stopped before it), the log (its last
# 8 MiB), and everything as one archive.
if [ ! -s "$RES/SUMMARY.md" ]; then
  { echo "# webgpu-trainer GPU kit (stopped before its summary, exit code $rc)"; echo
    [ -f "$RES/stages.md" ] && cat "$RES/stages.md"
    for f in "$RES"/*.md; do [ "$(basename "$f")" = stages.md ] || { echo; cat "$f"; }; done; } > "$RES/SUMMARY.md" 2>/dev/null
fi
cp "$RES/SUMMARY.md" "$DEST/SUMMARY.md"
tail -c 8388608 "$RES/run.log" > "$DEST/run.log" 2>/dev/null
tar -czf "$DEST/kit-results.tar.gz" -C "$RES" --exclude run.log . 2>/dev/null
rm -rf "$RES" "$KIT_WORK"
echo "device-run: exit code $rc; results in $DEST: $(ls "$DEST" | tr '\n' ' ')"
exit "$rc"
