#!/bin/bash
# Results for issue 11 (docs/results.md): CNN-GP (flatten), a pooled kernel (GAP) and FC NNGP on MNIST and Fashion-MNIST.
cd /work/results
N=/work/main/Cli/bin/Release/net10.0/nngp.dll
FLAT="(conv:3x3:same:1.6:0.1,relu)*2,flatten,dense:1.6:0.1"
POOL="conv:3x3:same:1.6:0.1:stride=2,relu,conv:3x3:same:1.6:0.1,relu,gap,dense:1.6:0.1"
run() { name=$1; shift; echo "== $name $(date -u +%H:%M:%S)"; /usr/bin/time -f "$name wall %e s" dotnet $N evaluate --device cpu --split first --json $name.json "$@" 2>&1 | grep -E "accuracy|wall|error" ; }
for d in fashion-mnist mnist; do
  run $d-fc3-1000 --dataset $d --train-size 1000 --test-size 500 --depth 3 --weight-var 1.45 --bias-var 0.28
  run $d-fc7-1000 --dataset $d --train-size 1000 --test-size 500 --depth 7 --weight-var 1.6207 --bias-var 0
  run $d-cnnflat-1000 --dataset $d --train-size 1000 --test-size 500 --net "$FLAT"
  run $d-fc3-5000 --dataset $d --train-size 5000 --test-size 2000 --depth 3 --weight-var 1.45 --bias-var 0.28
  run $d-fc7-5000 --dataset $d --train-size 5000 --test-size 2000 --depth 7 --weight-var 1.6207 --bias-var 0
  run $d-cnnflat-5000 --dataset $d --train-size 5000 --test-size 2000 --net "$FLAT"
  run $d-cnnpool-1000 --dataset $d --train-size 1000 --test-size 500 --net "$POOL"
done
echo "== done $(date -u +%H:%M:%S)"
