#!/usr/bin/env bash
# The GPU kit's entry (built by `npm run gpu-kit`): on a linux-x64 machine with an NVIDIA GPU and
# Python/PyTorch but no Node and no network, checks webgpu-trainer through Dawn's Vulkan backend
# against its CPU backend in float64 (every kernel family, every candidate the autotuner may pick,
# short fits), reports 'thorough' tuning on the W1-W4 shapes, and measures it beside TensorFlow.js's
# webgpu backend, jax-js and PyTorch. Results (JSON + Markdown, SUMMARY.md) go to --out.
#
#   ./run.sh [--out DIR (default ./kit-results)] [--quick | --smoke] [--allow-fallback] [--budget-s S] [--sweep-filter RE]
#
# Stages run most valuable first, each under `timeout` with its own budget, capped by what is left
# of --budget-s (default 500 s): a stage cut short keeps the rows it wrote, and every stage's
# outcome is a line in stages.md. --smoke is the kit's own test (a few small rows); --allow-fallback
# measures a software adapter (SwiftShader) instead of refusing it. The kit's folder is only read:
# it is unpacked into a temporary folder (KIT_WORK to choose it).
set -uo pipefail
KIT=$(cd "$(dirname "$0")" && pwd)
OUT="$PWD/kit-results"; MODE=full; ALLOW_FALLBACK=0; BUDGET=500; SWEEP_FILTER=
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT=$2; shift ;;
    --quick) MODE=quick ;;
    --smoke) MODE=smoke ;;
    --allow-fallback) ALLOW_FALLBACK=1 ;;
    --budget-s) BUDGET=$2; shift ;;
    --sweep-filter) SWEEP_FILTER=$2; shift ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
exec > >(tee -a "$OUT/run.log") 2>&1
START=$(date +%s)
say() { echo "[kit $(date -u +%H:%M:%S) +$(( $(date +%s) - START ))s] $*"; }
STAGES="$OUT/stages.md"
printf '| stage | budget s | took s | outcome |\n| --- | --- | --- | --- |\n' > "$STAGES"
note() { printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" >> "$STAGES"; }

# stage NAME SECONDS CMD...: runs CMD (its whole process group) for at most SECONDS, capped by what
# --budget-s leaves after a 15 s reserve for the summary; skipped when under 10 s are left.
stage() {
  local name=$1 want=$2; shift 2
  local left=$(( BUDGET - ($(date +%s) - START) - 15 ))
  local s=$(( want < left ? want : left ))
  if [ "$s" -lt 10 ]; then say "$name: skipped, out of time"; note "$name" "$want" 0 "skipped: out of time"; return 0; fi
  say "$name (up to ${s}s)"
  local t0; t0=$(date +%s)
  timeout -k 5 "$s" "$@"; local rc=$?
  local took=$(( $(date +%s) - t0 )) outcome
  case "$rc" in
    0) outcome=ok ;;
    124|137) outcome="cut at its ${s}s limit (what it wrote is kept)" ;;
    *) outcome="exit code $rc" ;;
  esac
  say "$name: $outcome (${took}s)"
  note "$name" "$s" "$took" "$outcome"
  return "$rc"
}

# Unpack into a work folder, so the kit (carried, maybe read-only, maybe reused) stays as built.
WORK=${KIT_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/wgt-kit.XXXXXX")}
mkdir -p "$WORK" && cp -a "$KIT"/. "$WORK"/
unxz_to() { # unxz_to SRC.xz DEST: xz if present, else Python's lzma
  [ -s "$2" ] && return 0
  if command -v xz >/dev/null; then xz -dc "$1" > "$2"
  else python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2],"wb"))' "$1" "$2"; fi
}
unxz_to "$WORK/node.xz" "$WORK/node" && chmod +x "$WORK/node" && rm -f "$WORK/node.xz"
DAWN="$WORK/node_modules/webgpu/dist/linux-x64/dawn.node"
unxz_to "$DAWN.xz" "$DAWN" && rm -f "$DAWN.xz"
NODE="$WORK/node"
say "kit: $(tr -s ' \n' ' ' < "$KIT/kit.json" 2>/dev/null); work folder $WORK"
"$NODE" --version >/dev/null 2>&1 || { say "the kit's Node does not run here (glibc too old?): nothing of ours can run"; note setup - - "FAILED: node does not run"; }

command -v nvidia-smi >/dev/null && say "nvidia-smi: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -3 | tr '\n' ';')"

# The NVIDIA Vulkan driver: an ICD file where the driver installed one, else one written for
# libGLX_nvidia.so.0 (the library that holds NVIDIA's Vulkan driver).
if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ]; then
  for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json \
           /etc/vulkan/icd.d/nvidia_icd.json /usr/local/share/vulkan/icd.d/nvidia_icd.json \
           /usr/local/nvidia/etc/vulkan/icd.d/nvidia_icd.json; do
    [ -f "$f" ] && { ICD=$f; break; }
  done
  if [ -z "${ICD:-}" ]; then
    for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu /usr/lib64; do
      [ -f "$d/libGLX_nvidia.so.0" ] && { GLX="$d/libGLX_nvidia.so.0"; break; }
    done
    if [ -n "${GLX:-}" ]; then
      ICD="$WORK/nvidia_icd.json"
      printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$GLX" > "$ICD"
    fi
  fi
  if [ -n "${ICD:-}" ]; then export VK_DRIVER_FILES="$ICD" VK_ICD_FILENAMES="$ICD"; say "Vulkan driver: $ICD"
  else say "no NVIDIA Vulkan driver found (no nvidia_icd.json, no libGLX_nvidia.so.0): Dawn will find no GPU"
       note "Vulkan driver" - - "NOT FOUND (no nvidia_icd.json, no libGLX_nvidia.so.0)"; fi
fi

# Libraries the machine lacks, from the kit; the driver's own folder first.
mkdir -p "$WORK/lib/use"
for lib in "$WORK"/lib/*.so.*; do
  name=$(basename "$lib")
  ldconfig -p 2>/dev/null | grep -q "^[[:space:]]*$name " || ln -sf "../$name" "$WORK/lib/use/$name"
done
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do [ -d "$d" ] && LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; done
export LD_LIBRARY_PATH="$WORK/lib/use:${LD_LIBRARY_PATH:-}" XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
# A tuning cache of this run's own: the benchmarks start from none, whatever ran here before.
export XDG_CACHE_HOME="$WORK/cache"
say "kit libraries used: $(ls "$WORK/lib/use" | tr '\n' ' ')"
cd "$WORK"
B=("$NODE" bench-node.mjs)

case "$MODE" in
  smoke) Q=(--quick); TQ=(--quick --workloads W1,W3 --budget-ms 3000); PAR=(--quick --sections kernels,sweep,fits)
         SW=("${SWEEP_FILTER:-A\\^T B\\^T: (tiled 8|splitK 32)\$|fusedConv2d.*: conv wg64 per1\$}")
         W=(--workloads W1:128,W3); RW=(--workloads W1:128,W3); BUD=(20 150 60 60 90 60 30 30) ;;
  quick) Q=(--quick); TQ=(--quick); PAR=(--quick); SW=("${SWEEP_FILTER:-.}"); W=(); RW=(--workloads W1:256,W2,W4)
         BUD=(30 150 60 90 60 90 45 30) ;;
  *) Q=(); TQ=(); PAR=(); SW=("${SWEEP_FILTER:-.}"); W=(); RW=(--workloads W1:4096,W2,W4); BUD=(30 140 75 100 75 100 45 30) ;;
esac

# 1. What Dawn offers. Without a usable adapter only PyTorch runs; the loader's own account of
#    why goes to vulkan-debug.log.
ADAPTER=0
if stage adapter "${BUD[0]}" "${B[@]}" adapter --out "$OUT"; then
  if [ "$ALLOW_FALLBACK" = 0 ] && grep -q '"isFallbackAdapter": true' "$OUT/adapter.json"; then
    say "Dawn offers only a fallback (software) adapter: refusing to measure it (pass --allow-fallback)"
    note "adapter check" - - "REFUSED: only a fallback (software) adapter"
  else ADAPTER=1; fi
else
  say "no WebGPU adapter from Dawn; the Vulkan loader's log is in vulkan-debug.log"
  VK_LOADER_DEBUG=error,warn,info,driver timeout 20 "${B[@]}" adapter --out "$OUT" > "$OUT/vulkan-debug.log" 2>&1
  [ -n "${GLX:-}" ] && ldd "$GLX" >> "$OUT/vulkan-debug.log" 2>&1
fi
PARITY_RC=0
if [ "$ADAPTER" = 1 ]; then
  # 2. Parity: kernel families, then every tuning candidate, then fits (the sweep stops starting
  #    candidates early enough to leave the fits their time).
  stage parity "${BUD[1]}" "${B[@]}" parity --out "$OUT" "${PAR[@]}" --sweep-filter "${SW[0]}" --deadline-s $(( BUD[1] * 2 / 3 ))
  PARITY_RC=$?
  # 3. 'thorough' tuning of the W1-W4 shapes. 4. Our benchmarks on the GPU.
  stage tuning "${BUD[2]}" "${B[@]}" tuning --out "$OUT" "${TQ[@]}"
  stage "bench ours:webgpu" "${BUD[3]}" "${B[@]}" bench --out "$OUT" --name ours-webgpu "${Q[@]}" "${W[@]}" --only ours:webgpu --deadline-s $(( BUD[3] - 10 ))
fi
# 5. PyTorch on the same workloads and data.
if python3 -c 'import torch, numpy' 2>/dev/null; then
  # shellcheck disable=SC2016 # $1.. are the inner script's arguments
  stage PyTorch "${BUD[4]}" bash -c '"$1" bench-node.mjs data --out "$2/data" $3 && python3 torch_bench.py "$2/data" "$4" $3' \
    torch "$NODE" "$WORK" "${Q[*]-}" "$OUT"
else say "python3 with torch and numpy not found: no PyTorch rows"; note PyTorch - - "not run: no python3 with torch and numpy"; fi
if [ "$ADAPTER" = 1 ]; then
  # 6. The other libraries on the GPU. 7. Ours with tuning off (the built-in rules), end to end
  #    against stage 4's tuned run. 8. Our CPU backend (whatever time is left).
  stage "bench tfjs, jax" "${BUD[5]}" "${B[@]}" bench --out "$OUT" --name others-webgpu "${Q[@]}" "${W[@]}" --only tfjs:webgpu,jax:webgpu --deadline-s $(( BUD[5] - 10 ))
  stage "bench ours:webgpu, tuning off" "${BUD[6]}" env BENCH_TUNING=off "${B[@]}" bench --out "$OUT" --name ours-webgpu-rule "${Q[@]}" "${RW[@]}" --only ours:webgpu --deadline-s $(( BUD[6] - 10 ))
  stage "bench ours:cpu" "${BUD[7]}" "${B[@]}" bench --out "$OUT" --name ours-cpu "${Q[@]}" "${W[@]}" --only ours:cpu --deadline-s $(( BUD[7] - 10 ))
fi

{
  echo "# webgpu-trainer GPU kit: $(date -u +%Y-%m-%dT%H:%M:%SZ)"; echo
  echo "Kit: $(tr -s ' \n' ' ' < "$KIT/kit.json" 2>/dev/null). Mode $MODE, budget ${BUDGET}s, took $(( $(date +%s) - START ))s."
  command -v nvidia-smi >/dev/null && echo "GPU: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>&1 | head -1)."
  echo; cat "$STAGES"
  for f in "$OUT"/adapter.md "$OUT"/parity-*.md "$OUT"/tuning-*.md "$OUT"/node-*.md "$OUT"/torch.md; do
    [ -f "$f" ] && { echo; cat "$f"; }
  done
} > "$OUT/SUMMARY.md"
[ -z "${KIT_WORK:-}" ] && rm -rf "$WORK"
say "done: $OUT/SUMMARY.md"
[ "$ADAPTER" = 1 ] || exit 1
exit "$PARITY_RC"
