#!/usr/bin/env bash
# The device checks of issue 11 in one call, for a session that is lent a GPU (docs/benchmarks.md):
#   here:          ../shared/tools/device-pack.sh Engine.Tests/GpuNngp.Engine.Tests.csproj perf/GpuNngp.Perf.csproj Cli/GpuNngp.Cli.csproj
#   on the device: bash perf/device/spatial-check.sh        (run with carry [".device"], timeout ≤ 600 s)
# Writes everything under $OUT (or ./device-out): the probe, the GPU test cases (among them the
# device spatial kernel against the host kernel on real hardware, ≤ 1e-9) and the conv benchmark on
# the GPU. Each step has its own time limit, so a slow one cannot eat the others' share.
set -uo pipefail
out=${OUT:-device-out}
mkdir -p "$out"
run() { bash .device/run.sh "$@"; }
run --probe > "$out/probe.txt" 2>&1
timeout 200 bash .device/run.sh dotnet .device/apps/GpuNngp.Engine.Tests/GpuNngp.Engine.Tests.dll \
  --filter-namespace 'GpuNngp.Engine.Tests.Gpu' > "$out/gpu-tests.txt" 2>&1
echo "gpu tests exit $?" >> "$out/gpu-tests.txt"
timeout 240 bash .device/run.sh dotnet .device/apps/GpuNngp.Perf/GpuNngp.Perf.dll conv --device gpu \
  --json "$out/conv-gpu.json" --markdown "$out/conv-gpu.md" > "$out/conv-gpu.txt" 2>&1
echo "conv bench exit $?" >> "$out/conv-gpu.txt"
tail -n 3 "$out"/*.txt
