#!/usr/bin/env bash
# The real-GPU check of @gated/backend-webgpu: the conformance suite and the backend's own tests on
# Dawn's Vulkan backend over an NVIDIA GPU, the 1,000-step long run with a forced device loss, and
# the benchmark (webgpu beside TF.js webgpu on the same adapter and PyTorch's cuDNN LSTM on the
# same GPU). Made for a machine with a GPU but no network and no Node packages: everything it needs
# is prepared here, carried in one folder, and probed there first.
#
#   apps/bench/scripts/gpu-check.sh prepare        where the workspace is installed: builds .gpu-check/
#                                                  (bundled tests, benchmark and long run; Dawn; the
#                                                  Vulkan loader; the PyTorch worker; Node, compressed)
#   apps/bench/scripts/gpu-check.sh probe          there: says what is present and exactly what is missing
#   apps/bench/scripts/gpu-check.sh run [--quick]  there: probe, then the three checks; results go to
#                                                  $OUT, else apps/bench/results/gpu/<device>/ (commit them)
#
# Environment: GPU_CHECK_DIR (the prepared folder, default .gpu-check), OUT (results folder),
# GPU_CHECK_ALLOW_SOFTWARE=1 (go on with a software adapter: proves the bundle, not the GPU),
# GPU_CHECK_STEPS (training steps of the long run, default 1000).
# Sized for a 10-minute slot: tests ~2 min, long run ~1 min, benchmark (--quick) ~5 min on a GPU.
set -uo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$(pwd)
DIR=$(cd "${GPU_CHECK_DIR:-.gpu-check}" 2>/dev/null && pwd || echo "$ROOT/${GPU_CHECK_DIR:-.gpu-check}")
MODE=${1:-run}
QUICK=""
[ "${2:-}" = "--quick" ] && QUICK="--quick"

missing=()
found=()
note() { found+=("$1"); }
lack() { missing+=("$1"); }

unpack() { # unpack FILE.xz TARGET: with xz, else Python's lzma
  if command -v xz >/dev/null 2>&1; then xz -dc "$1" > "$2"
  else python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; fi
}

prepare() {
  command -v node >/dev/null || { echo "prepare needs Node and the installed workspace (pnpm install)"; exit 1; }
  node apps/bench/scripts/gpu-check/bundle.mjs "$DIR" || exit 1
  echo "carry $DIR with the working tree (it is git-ignored: name it in the device tool's carry list)"
}

probe() {
  missing=(); found=()
  [ -f "$DIR/manifest.json" ] || { lack "the prepared folder $DIR (run 'gpu-check.sh prepare' where the workspace is installed, then carry it)"; report; return 1; }

  # Node 20+: the machine's, else the carried one.
  NODE=""
  if command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -ge 20 ]; then
    NODE=$(command -v node); note "node $($NODE --version) at $NODE"
  elif [ -f "$DIR/node.xz" ]; then
    mkdir -p "$DIR/bin"; [ -x "$DIR/bin/node" ] || { unpack "$DIR/node.xz" "$DIR/bin/node" && chmod +x "$DIR/bin/node"; }
    NODE="$DIR/bin/node"; note "node $($NODE --version 2>/dev/null || echo '?') (carried; none on this machine)"
  else
    lack "Node >= 20 (none on PATH and no $DIR/node.xz)"
  fi

  # Dawn's binary.
  DAWN="$DIR/node_modules/webgpu/dist/linux-x64/dawn.node"
  [ -f "$DAWN" ] || { [ -f "$DIR/dawn.node.xz" ] && unpack "$DIR/dawn.node.xz" "$DAWN"; }
  if [ -f "$DAWN" ]; then note "Dawn (webgpu $(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$DIR/node_modules/webgpu/package.json"))"; else lack "Dawn's dawn.node (missing from $DIR)"; fi

  # The Vulkan loader: the system's, else the carried one.
  if ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; then note "Vulkan loader: $(ldconfig -p | grep -m1 'libvulkan.so.1' | sed 's/.*=> //')"
  elif [ -f "$DIR/lib/libvulkan.so.1" ]; then export LD_LIBRARY_PATH="$DIR/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; note "Vulkan loader: carried ($DIR/lib/libvulkan.so.1)"
  else lack "the Vulkan loader libvulkan.so.1 (not installed, not carried: Debian's libvulkan1)"; fi

  # The GPU and its driver.
  GPU_NAME=""
  if command -v nvidia-smi >/dev/null 2>&1 && GPU_NAME=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1) && [ -n "$GPU_NAME" ]; then
    note "GPU: $GPU_NAME"
  else
    lack "an NVIDIA GPU and driver (nvidia-smi is missing or sees no GPU)"
  fi

  # NVIDIA's Vulkan driver (ICD manifest) and the library it names.
  ICD=""
  for candidate in "${VK_DRIVER_FILES:-}" "${VK_ICD_FILENAMES:-}" /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json \
      /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json $(find /usr/local/nvidia /usr/share/vulkan /etc/vulkan -name 'nvidia_icd*.json' 2>/dev/null); do
    [ -n "$candidate" ] && [ -f "$candidate" ] && grep -qi nvidia "$candidate" && { ICD=$candidate; break; }
  done
  if [ -n "$ICD" ]; then
    export VK_DRIVER_FILES="$ICD" VK_ICD_FILENAMES="$ICD"
    LIB=$(sed -n 's/.*"library_path": *"\([^"]*\)".*/\1/p' "$ICD" | head -1)
    if [ -z "$LIB" ]; then lack "the library named in $ICD (no library_path)"
    elif [ -f "$LIB" ] || ldconfig -p 2>/dev/null | grep -q "$LIB"; then note "NVIDIA Vulkan ICD: $ICD ($LIB)"
    elif LIBDIR=$(dirname "$(find /usr/local/nvidia /usr/lib /usr/lib64 -name "$(basename "$LIB")" 2>/dev/null | head -1)" 2>/dev/null) && [ "$LIBDIR" != "." ]; then
      export LD_LIBRARY_PATH="$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; note "NVIDIA Vulkan ICD: $ICD ($LIB in $LIBDIR)"
    else lack "$LIB, the NVIDIA Vulkan driver library $ICD names"; fi
  else
    lack "NVIDIA's Vulkan ICD manifest nvidia_icd.json (searched VK_DRIVER_FILES, VK_ICD_FILENAMES, /usr/share/vulkan/icd.d, /etc/vulkan/icd.d, /usr/local/nvidia)"
  fi

  # Without NVIDIA's driver, a software run (GPU_CHECK_ALLOW_SOFTWARE=1) points the loader at
  # Chromium's SwiftShader, as the backend's Node entry does when no Vulkan driver is installed.
  if [ -z "$ICD" ] && [ "${GPU_CHECK_ALLOW_SOFTWARE:-0}" = "1" ] && [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ]; then
    for sw in /usr/lib/chromium/vk_swiftshader_icd.json /usr/lib/chromium-browser/vk_swiftshader_icd.json /opt/google/chrome/vk_swiftshader_icd.json; do
      [ -f "$sw" ] && { export VK_ICD_FILENAMES="$sw"; note "software Vulkan driver (GPU_CHECK_ALLOW_SOFTWARE): $sw"; break; }
    done
  fi

  # What Dawn sees.
  ADAPTER=""
  if [ -n "$NODE" ] && [ -f "$DAWN" ]; then
    ADAPTER=$(cd "$DIR" && "$NODE" --input-type=module -e "
      import { create } from 'webgpu';
      const gpu = create([]); globalThis.keep = gpu;
      const a = await gpu.requestAdapter({ powerPreference: 'high-performance' });
      console.log(a ? [a.info.vendor, a.info.architecture, a.info.description, a.info.isFallbackAdapter ? '(fallback)' : ''].join(' ').trim() : 'none');
      process.exit(0);" 2>&1 | tail -1)
    if [ -z "$ADAPTER" ] || [ "$ADAPTER" = "none" ]; then lack "a WebGPU adapter (Dawn found none: $ADAPTER)"
    elif echo "$ADAPTER" | grep -qiE 'swiftshader|llvmpipe|fallback'; then
      if [ "${GPU_CHECK_ALLOW_SOFTWARE:-0}" = "1" ]; then note "WebGPU adapter: $ADAPTER (software, allowed by GPU_CHECK_ALLOW_SOFTWARE)"
      else lack "a hardware WebGPU adapter (Dawn found only: $ADAPTER)"; fi
    else note "WebGPU adapter: $ADAPTER"; fi
  fi

  # PyTorch with CUDA, for the cuDNN comparison (optional).
  PYTHON=$(command -v python3 || true)
  TORCH=$([ -n "$PYTHON" ] && "$PYTHON" -c 'import torch; print(torch.__version__, "CUDA" if torch.cuda.is_available() else "no CUDA")' 2>/dev/null || echo "")
  if [ -n "$TORCH" ]; then note "PyTorch $TORCH ($PYTHON)"; else note "no PyTorch: the benchmark runs without the cuDNN comparison"; fi
  report
  [ ${#missing[@]} -eq 0 ]
}

report() {
  echo "== gpu-check probe"
  for f in "${found[@]}"; do echo "  found:   $f"; done
  for m in "${missing[@]}"; do echo "  MISSING: $m"; done
}

run() {
  if ! probe; then
    if [ "${GPU_CHECK_ALLOW_SOFTWARE:-0}" = "1" ] && [ -n "${NODE:-}" ] && [ -f "${DAWN:-}" ] && [ -n "${ADAPTER:-}" ] && [ "$ADAPTER" != "none" ]; then
      echo "== going on without a GPU (GPU_CHECK_ALLOW_SOFTWARE=1): these results prove the bundle, not GPU speed"
    else
      echo "== stopping: this check needs what is MISSING above"; exit 3
    fi
  fi
  local slug
  slug=$(echo "${GPU_NAME:-$ADAPTER}" | cut -d, -f1 | tr 'A-Z' 'a-z' | sed 's/[^a-z0-9]\+/-/g; s/^-//; s/-$//')
  OUT=${OUT:-$ROOT/apps/bench/results/gpu/${slug:-unknown}}
  mkdir -p "$OUT/bench"
  report > "$OUT/probe.txt"
  local status=0
  echo "== 1/3 conformance suite and backend tests on $ADAPTER"
  (cd "$DIR" && GPU_CHECK_SUMMARY="$OUT/tests.json" timeout 400 "$NODE" tests.mjs > "$OUT/tests.txt" 2>&1) || status=1
  tail -1 "$OUT/tests.txt"
  echo "== 2/3 long run: ${GPU_CHECK_STEPS:-1000} char-LM training steps, then a forced device loss"
  (cd "$DIR" && timeout 300 "$NODE" long-run.mjs --steps "${GPU_CHECK_STEPS:-1000}" --json > "$OUT/long-run.json" 2>"$OUT/long-run.log") || status=1
  grep -E '"(passed|msPerStep|flat|reported)"' "$OUT/long-run.json" | tr -d ' ,' | paste -sd' ' -
  echo "== 3/3 benchmark: webgpu, TF.js webgpu, PyTorch cuDNN"
  (cd "$DIR" && GATED_BENCH_TORCH_SCRIPT="$DIR/bench_torch.py" GATED_BENCH_PYTHON="${PYTHON:-/usr/bin/python3}" timeout 420 \
    "$NODE" bench.mjs -w W1,W2,W3,W4,W5,W6,W7,gpu,'matmul-*' -b webgpu,tfjs-webgpu,torch-cuda $QUICK --out "$OUT/bench" > /dev/null 2> "$OUT/bench.log") || status=1
  tail -1 "$OUT/bench.log"
  echo "== results in $OUT"
  exit $status
}

case "$MODE" in
  prepare) prepare ;;
  probe) probe; exit $? ;;
  run) run ;;
  *) echo "usage: gpu-check.sh prepare | probe | run [--quick]"; exit 2 ;;
esac
