#!/usr/bin/env bash
# PCG on MPI ranks against PCG in one process on Fashion-MNIST (docs/benchmarks.md, "PCG on MPI ranks"):
# `nngp evaluate --solver pcg` with the FP32-stored kernel, first --device cpu, then mpirun -np 1, 2, 4
# --distributed (one OpenBLAS thread per rank for P ≥ 2); wall and CPU seconds (user + sys of every
# rank, by /usr/bin/time around the launcher), the stage times, the iterations and seconds per iteration.
# usage: perf/Distributed/pcg-bench.sh [N] [M] [STORAGE] [WORKDIR]   (needs mpirun, a Release build of Cli)
set -euo pipefail
n=${1:-4000} m=${2:-200} storage=${3:-fp32} work=${4:-$(mktemp -d)}
root=$(cd "$(dirname "$0")/../.." && pwd)
nngp="dotnet $root/Cli/bin/Release/net10.0/nngp.dll"
mpi="mpirun --allow-run-as-root --oversubscribe --bind-to none"
args=(evaluate --dataset fashion-mnist --train-size "$n" --test-size "$m" --depth 3 --weight-var 1.45 --bias-var 0.28
      --noise 1e-2 --solver pcg --tolerance 1e-6 --preconditioner-rank 300 --kernel-storage "$storage")
mkdir -p "$work"
cd "$work"
/usr/bin/time -f "%e %U %S" -o time-cpu.txt $nngp "${args[@]}" --device cpu --json ev-cpu.json >/dev/null 2>&1
for p in 1 2 4; do
  threads=$(( p == 1 ? 2 : 1 ))
  /usr/bin/time -f "%e %U %S" -o time-mpi$p.txt $mpi -x OPENBLAS_NUM_THREADS=$threads -np $p $nngp "${args[@]}" --distributed --json ev-mpi$p.json >/dev/null 2>&1
done
python3 - <<'PY'
import json
def row(name, report, timing):
    e = json.load(open(report)); wall, user, system = map(float, open(timing).read().split()[-3:])
    s = e['stageSeconds']; it = e['pcg']['iterations']
    print(f"{name}: iterations {it}, solve {s['solve']:.2f} s ({s['solve'] / it:.3f} s/iteration), kernel store {s.get('layer-map', 0):.2f} s, "
          f"preconditioner {s.get('factorisation', 0):.2f} s, total {e['totalSeconds']:.2f} s; command wall {wall:.1f} s, CPU {user + system:.1f} s; "
          f"log p {e['logMarginalLikelihood']!r}, accuracy {e['accuracy']}")
row('cpu', 'ev-cpu.json', 'time-cpu.txt')
for p in (1, 2, 4):
    row(f'P={p}', f'ev-mpi{p}.json', f'time-mpi{p}.txt')
PY
