#!/bin/bash
# CNN-GP (flatten readout) on all 10,000 test images, N = 10,000, both data sets, with FC-7 beside it.
# Run from the repository root after `dotnet build -c Release`; the reports land in docs/data/conv-results/.
N=$PWD/Cli/bin/Release/net10.0/nngp.dll
cd docs/data/conv-results
FLAT="(conv:3x3:same:1.6:0.1,relu)*2,flatten,dense:1.6:0.1"
run() { name=$1; shift; echo "== $name $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)"; /usr/bin/time -f "$name wall %e s" dotnet $N evaluate --device cpu --split first --json $name.json "$@" 2>&1 | grep -E "accuracy|wall|error" ; }
run fashion-mnist-cnnflat-10000-all --dataset fashion-mnist --train-size 10000 --test-size 10000 --net "$FLAT"
run mnist-cnnflat-10000-all --dataset mnist --train-size 10000 --test-size 10000 --net "$FLAT"
run mnist-fc7-10000-all --dataset mnist --train-size 10000 --test-size 10000 --depth 7 --weight-var 1.6207 --bias-var 0
run fashion-mnist-fc7-10000-all --dataset fashion-mnist --train-size 10000 --test-size 10000 --depth 7 --weight-var 1.6207 --bias-var 0
echo "== done $(date -u +%H:%M:%S)"
