#!/usr/bin/env bash
# The distributed provider against the single-process CPU provider on Fashion-MNIST (docs/benchmarks.md,
# "Distributed provider"): per-point means and variances by `nngp predict` on the exported images, the
# log marginal likelihood and stage times by `nngp evaluate --json`, on 1, 2 and 4 ranks.
# usage: perf/Distributed/bench.sh [N] [M] [WORKDIR]   (needs mpirun, ScaLAPACK, a Release build of Cli)
set -euo pipefail
n=${1:-4000} m=${2:-1000} work=${3:-$(mktemp -d)}
root=$(cd "$(dirname "$0")/../.." && pwd)
nngp="dotnet $root/Cli/bin/Release/net10.0/nngp.dll"
mpi="mpirun --allow-run-as-root --oversubscribe --bind-to none"
mkdir -p "$work"
python3 "$root/perf/Distributed/export-fashion.py" "$n" "$m" "$work"
cd "$work"
data=(--train-x train-x.npy --train-y train-y.npy --test-x test-x.npy)
$nngp predict "${data[@]}" --device cpu --out-mean cpu-mean.npy --out-var cpu-var.npy >/dev/null 2>&1
$nngp evaluate --dataset fashion-mnist --train-size "$n" --test-size "$m" --device cpu --json ev-cpu.json >/dev/null 2>&1
for p in 1 2 4; do
  threads=$(( p == 1 ? 2 : 1 ))
  $mpi -x OPENBLAS_NUM_THREADS=$threads -np $p $nngp predict "${data[@]}" --distributed --out-mean mpi$p-mean.npy --out-var mpi$p-var.npy >/dev/null 2>&1
  $mpi -x OPENBLAS_NUM_THREADS=$threads -np $p $nngp evaluate --dataset fashion-mnist --train-size "$n" --test-size "$m" --distributed --json ev-mpi$p.json >/dev/null 2>&1
done
python3 - <<'PY'
import json, struct
def load(path):
    b = open(path, 'rb').read(); h = struct.unpack('<H', b[8:10])[0]; d = b[10 + h:]
    return struct.unpack(f'<{len(d) // 8}d', d)
cpu = json.load(open('ev-cpu.json'))
print(f"cpu: log p(Y) {cpu['logMarginalLikelihood']!r}, accuracy {cpu['accuracy']}, total {cpu['totalSeconds']:.2f} s, stages {cpu['stageSeconds']}")
for p in (1, 2, 4):
    e = json.load(open(f'ev-mpi{p}.json'))
    mean = max(abs(a - b) for a, b in zip(load('cpu-mean.npy'), load(f'mpi{p}-mean.npy')))
    var = max(abs(a - b) for a, b in zip(load('cpu-var.npy'), load(f'mpi{p}-var.npy')))
    lml = abs(e['logMarginalLikelihood'] - cpu['logMarginalLikelihood'])
    print(f"P={p}: max |Δmean| {mean:.2e}, max |Δvar| {var:.2e}, |Δlog p| {lml:.2e} (relative {lml / abs(cpu['logMarginalLikelihood']):.1e}), "
          f"accuracy {e['accuracy']}, total {e['totalSeconds']:.2f} s, stages {e['stageSeconds']}")
PY
