#!/bin/bash
# The CNN-GP at N = 10,000 on Fashion-MNIST (first 2,000 test images), beside FC-7 on the same sets.
cd /work/results
N=/work/main/Cli/bin/Release/net10.0/nngp.dll
FLAT="(conv:3x3:same:1.6:0.1,relu)*2,flatten,dense:1.6:0.1"
run() { name=$1; shift; echo "== $name $(date -u +%H:%M:%S)"; /usr/bin/time -f "$name wall %e s" dotnet $N evaluate --device cpu --split first --json $name.json "$@" 2>&1 | grep -E "accuracy|wall|error" ; }
run fashion-mnist-fc7-10000 --dataset fashion-mnist --train-size 10000 --test-size 2000 --depth 7 --weight-var 1.6207 --bias-var 0
run fashion-mnist-cnnflat-10000 --dataset fashion-mnist --train-size 10000 --test-size 2000 --net "$FLAT"
echo "== done $(date -u +%H:%M:%S)"
