#!/bin/bash
# The pooled kernel at N = 2,000 (first 500 test images), Fashion-MNIST and MNIST, beside FC-7 and the CNN-GP on the same split.
# Run from the repository root after `dotnet build -c Release`; the reports land in docs/data/conv-results/.
N=$PWD/Cli/bin/Release/net10.0/nngp.dll
cd docs/data/conv-results
FLAT="(conv:3x3:same:1.6:0.1,relu)*2,flatten,dense:1.6:0.1"
POOL="conv:3x3:same:1.6:0.1:stride=2,relu,conv:3x3:same:1.6:0.1,relu,gap,dense:1.6:0.1"
run() { name=$1; shift; echo "== $name $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)"; /usr/bin/time -f "$name wall %e s" dotnet $N evaluate --device cpu --split first --json $name.json "$@" 2>&1 | grep -E "accuracy|wall|error" ; }
for d in fashion-mnist mnist; do
run $d-fc7-2000 --dataset $d --train-size 2000 --test-size 500 --depth 7 --weight-var 1.6207 --bias-var 0
run $d-cnnflat-2000 --dataset $d --train-size 2000 --test-size 500 --net "$FLAT"
done
run fashion-mnist-cnnpool-2000 --dataset fashion-mnist --train-size 2000 --test-size 500 --net "$POOL"
run mnist-cnnpool-2000 --dataset mnist --train-size 2000 --test-size 500 --net "$POOL"
echo "== done $(date -u +%H:%M:%S)"
