#!/bin/bash
# The pooled kernel's noise σε² by validation (the first 1,000 Fashion-MNIST training images, the
# last 500 held out, by accuracy; its σw², σb² as in the tables): docs/results.md, "The noise chosen
# by validation". The smallest noise won (0.812 at 1e-6), so no evaluation at a larger noise
# followed. Run from the repository root after `dotnet build -c Release`; the CSV lands in
# docs/data/conv-results/ (~10 minutes on two cores).
N=$PWD/Cli/bin/Release/net10.0/nngp.dll
cd docs/data/conv-results
POOL="conv:3x3:same:1.6:0.1:stride=2,relu,conv:3x3:same:1.6:0.1,relu,gap,dense:1.6:0.1"
rm -f fashion-mnist-cnnpool-noise.csv
dotnet $N search --device cpu --dataset fashion-mnist --split first --train-size 1000 --validation-size 500 --net "$POOL" \
  --weight-vars 1.6 --bias-vars 0.1 --noises 1e-6,1e-3,1e-2,1e-1 --csv fashion-mnist-cnnpool-noise.csv > /dev/null
grep -v '^#' fashion-mnist-cnnpool-noise.csv
