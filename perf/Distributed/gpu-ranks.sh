#!/usr/bin/env bash
# The GPU ranks' check on a lent GPU machine, in one call: one GPU rank (cuSOLVERMp over NCCL) against
# the single-GPU provider on the same fit, means, variances and covariance to 1e-10 absolute and
# log p(Y) to 1e-10 relative (read bit for bit from the saved posteriors, docs/persistence.md).
#
# Here (the checkout the device tool sends, i.e. the lead's main checkout, this branch merged):
#   ../shared/tools/device-pack.sh Cli/GpuNngp.Cli.csproj     # .device/: the runtime and nngp (~25 MB + the runtime)
#   optional: copy libcusolverMp.so.0 (0.7 or later: the nvidia-cusolvermp-cu13 wheel's lib/ folder, or
#   NVIDIA's HPC SDK) into .device/cusolvermp/ — the device image has NCCL and the CUDA runtime (its
#   PyTorch wheels) but no cuSOLVERMp, and nothing can be fetched there.
# On the device (run verb): command "bash perf/Distributed/gpu-ranks.sh", carry [".device"], timeout_s 420.
# Without mpirun there (the image has no MPI library), the GPU rank starts as one rank in its process,
# without MPI (MpiSession's alone mode); where mpirun exists, mpirun -np 1 runs too.
# Without cuSOLVERMp the script records the one-line refusal and the libraries found, and says so.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=${OUT:-/tmp/gpu-ranks}
mkdir -p "$out"
log="$out/gpu-ranks.log"
run=".device/run.sh"
nngp=".device/apps/GpuNngp.Cli/nngp.dll"
work=$(mktemp -d)
[ -d .device/cusolvermp ] && export GPUNNGP_CUDA_LIB_DIR="$root/.device/cusolvermp"

{
  echo "== $(date -u +%FT%TZ) probe"
  [ -x "$run" ] || { echo "no .device/run.sh: run ../shared/tools/device-pack.sh Cli/GpuNngp.Cli.csproj here first"; exit 2; }
  bash "$run" --probe
  bash "$run" bash -c '
    for lib in libnccl.so.2 libcudart.so.13 libcudart.so.12 libcusolverMp.so.0 libmpi.so.40; do
      found=$(ldconfig -p 2>/dev/null | awk -v l="$lib" "index(\$1, l) == 1 {print \$NF}" | head -1)
      for d in ${GPUNNGP_CUDA_LIB_DIR:-} ${LD_LIBRARY_PATH//:/ } /usr/local/lib/python3*/dist-packages/nvidia/*/lib /opt/*/.venv/lib/python3*/site-packages/nvidia/*/lib; do
        [ -z "$found" ] && [ -e "$d/$lib" ] && found="$d/$lib"
      done
      echo "$lib: ${found:-not found}"
    done
    echo "mpirun: $(command -v mpirun || echo "not installed (the GPU rank starts without MPI)")"'

  python3 - "$work" <<'PY'
import sys, numpy as np
rng = np.random.default_rng(401)
w = sys.argv[1]
np.save(f"{w}/x.npy", rng.standard_normal((2000, 64)))
np.save(f"{w}/y.npy", rng.standard_normal((2000, 10)))
np.save(f"{w}/t.npy", rng.standard_normal((500, 64)))
PY

  predict() { # prefix, launcher (words before nngp.dll), then the device flags
    local prefix=$1 launcher=$2; shift 2
    bash "$run" $launcher dotnet "$nngp" predict --train-x "$work/x.npy" --train-y "$work/y.npy" --test-x "$work/t.npy" --depth 3 --noise 0.01 \
      --out-mean "$work/$prefix-mean.npy" --out-var "$work/$prefix-var.npy" --out-cov "$work/$prefix-cov.npy" --save-model "$work/$prefix.nngp" "$@"
  }

  echo "== one GPU (the single-GPU provider)"
  predict gpu "" --device gpu; echo "exit $?"
  echo "== one GPU rank, no MPI"
  predict alone "" --distributed --device gpu; echo "exit $?"
  if command -v mpirun >/dev/null; then
    echo "== one GPU rank, mpirun -np 1"
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 predict mpi "mpirun --oversubscribe -x TERM=dumb -np 1" --distributed --device gpu; echo "exit $?"
  fi

  echo "== comparison (tolerance 1e-10)"
  python3 - "$work" <<'PY'
import os, struct, sys, numpy as np
w = sys.argv[1]
def logp(path):  # docs/persistence.md: 20 header bytes, 3 int32 and 6 float64 before it in the payload
    with open(path, "rb") as f:
        data = f.read(80)
    return struct.unpack_from("<d", data, 72)[0]
if not os.path.exists(f"{w}/gpu.nngp"):
    print("FAIL: the single-GPU run wrote nothing"); sys.exit(1)
failed = False
for prefix in ("alone", "mpi"):
    if not os.path.exists(f"{w}/{prefix}.nngp"):
        print(f"{prefix}: no result (refused or not run: see above)"); continue
    for part in ("mean", "var", "cov"):
        d = np.abs(np.load(f"{w}/gpu-{part}.npy") - np.load(f"{w}/{prefix}-{part}.npy")).max()
        print(f"{prefix} {part}: largest |difference| {d:.3e}"); failed |= not d <= 1e-10
    a, b = logp(f"{w}/gpu.nngp"), logp(f"{w}/{prefix}.nngp")
    r = abs(a - b) / abs(a)
    print(f"{prefix} log p(Y): {a!r} vs {b!r}, relative {r:.3e}"); failed |= not r <= 1e-10
print("FAIL" if failed else "checked")
sys.exit(1 if failed else 0)
PY
  echo "exit $?"
} 2>&1 | tee "$log"
