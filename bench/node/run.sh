#!/usr/bin/env bash
# The GPU kit's entry (built by `npm run gpu-kit`): on a linux-x64 machine with an NVIDIA GPU and
# Python/PyTorch but no Node and no network, measures webgpu-trainer, TensorFlow.js's webgpu backend
# and jax-js through Dawn's Vulkan backend, checks parity against the CPU backend in float64, and
# runs the same workloads on PyTorch. Results (JSON + Markdown, and SUMMARY.md) go to --out.
#
#   ./run.sh [--out DIR] [--quick | --smoke] [--allow-fallback] [--deadline-min M]
#
# --smoke is the kit's own test (a few small rows); --allow-fallback measures a software adapter
# (SwiftShader) instead of refusing it.
set -uo pipefail
KIT=$(cd "$(dirname "$0")" && pwd)
OUT="$KIT/results"; MODE=full; ALLOW_FALLBACK=0; DEADLINE=5
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT=$2; shift ;;
    --quick) MODE=quick ;;
    --smoke) MODE=smoke ;;
    --allow-fallback) ALLOW_FALLBACK=1 ;;
    --deadline-min) DEADLINE=$2; shift ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$OUT"
exec > >(tee -a "$OUT/run.log") 2>&1
say() { echo "[kit $(date -u +%H:%M:%S)] $*"; }

unxz_to() { # unxz_to SRC.xz DEST: xz if present, else Python's lzma
  [ -s "$2" ] && return 0
  if command -v xz >/dev/null; then xz -dc "$1" > "$2"
  else python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2],"wb"))' "$1" "$2"; fi
}
unxz_to "$KIT/node.xz" "$KIT/node" && chmod +x "$KIT/node"
unxz_to "$KIT/node_modules/webgpu/dist/linux-x64/dawn.node.xz" "$KIT/node_modules/webgpu/dist/linux-x64/dawn.node"
NODE="$KIT/node"

# The NVIDIA Vulkan driver: an ICD file where the driver installed one, else one written for
# libGLX_nvidia.so.0 (the library that holds NVIDIA's Vulkan driver).
if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ]; then
  for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json \
           /etc/vulkan/icd.d/nvidia_icd.json /usr/local/share/vulkan/icd.d/nvidia_icd.json; do
    [ -f "$f" ] && { ICD=$f; break; }
  done
  if [ -z "${ICD:-}" ]; then
    for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu /usr/lib64; do
      [ -f "$d/libGLX_nvidia.so.0" ] && { GLX="$d/libGLX_nvidia.so.0"; break; }
    done
    if [ -n "${GLX:-}" ]; then
      ICD="$KIT/nvidia_icd.json"
      printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$GLX" > "$ICD"
    fi
  fi
  if [ -n "${ICD:-}" ]; then export VK_DRIVER_FILES="$ICD" VK_ICD_FILENAMES="$ICD"; say "Vulkan driver: $ICD"
  else say "no NVIDIA Vulkan driver found (no nvidia_icd.json, no libGLX_nvidia.so.0)"; fi
fi

# Libraries the machine lacks, from the kit; the driver's own folder first.
mkdir -p "$KIT/lib/use"
for lib in "$KIT"/lib/*.so.*; do
  name=$(basename "$lib")
  ldconfig -p 2>/dev/null | grep -q "^[[:space:]]*$name " || ln -sf "../$name" "$KIT/lib/use/$name"
done
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do [ -d "$d" ] && LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; done
export LD_LIBRARY_PATH="$KIT/lib/use:${LD_LIBRARY_PATH:-}" XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
say "kit libraries used: $(ls "$KIT/lib/use" | tr '\n' ' ')"

cd "$KIT"
say "adapter"
"$NODE" bench-node.mjs adapter --out "$OUT" || { say "no WebGPU adapter"; exit 1; }
if [ "$ALLOW_FALLBACK" = 0 ] && grep -q '"isFallbackAdapter": true' "$OUT/adapter.json"; then
  say "Dawn offers only a fallback (software) adapter: refusing to measure it (pass --allow-fallback)"; exit 1
fi

case "$MODE" in
  smoke) BENCH=(--quick --only ours:webgpu,tfjs:webgpu --workloads W1:128,W3) ; PARITY=(--quick) ; DATA=(--quick) ;;
  quick) BENCH=(--quick) ; PARITY=() ; DATA=(--quick) ;;
  *) BENCH=(--deadline-min "$DEADLINE") ; PARITY=() ; DATA=() ;;
esac
say "bench"; "$NODE" bench-node.mjs bench --out "$OUT" "${BENCH[@]}"
say "parity"; "$NODE" bench-node.mjs parity --out "$OUT" "${PARITY[@]}"; PARITY_RC=$?
say "PyTorch"
if python3 -c 'import torch, numpy' 2>/dev/null; then
  "$NODE" bench-node.mjs data --out "$KIT/data" "${DATA[@]}" &&
    python3 torch_bench.py "$KIT/data" "$OUT" $([ "$MODE" = full ] || echo --quick)
else say "python3 with torch and numpy not found: no PyTorch rows"; fi

{ cat "$OUT"/adapter.md; for f in "$OUT"/node-*.md "$OUT"/parity-*.md "$OUT"/torch.md; do [ -f "$f" ] && { echo; cat "$f"; }; done; } > "$OUT/SUMMARY.md"
say "done: $OUT/SUMMARY.md"
exit "$PARITY_RC"
