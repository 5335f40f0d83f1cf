using GpuNngp;
using MathNet.Numerics.LinearAlgebra;

// Bayesian model selection: 80 noisy samples of a smooth function of 3 inputs, fitted by a depth-2
// ReLU network's GP at every point of a 5 × 5 grid over σw² and σb²; the point with the largest log
// marginal likelihood wins, no validation set needed. The held-out error of the best and the worst
// point shows what the evidence chose.
const double noise = 0.01;
var x = Matrix<double>.Build.Random(100, 3, seed: 11);
var y = Matrix<double>.Build.Dense(100, 1, (i, _) => Math.Tanh(x[i, 0] - 0.5 * x[i, 1]) + 0.3 * x[i, 2] * x[i, 2]);
y += Matrix<double>.Build.Random(100, 1, seed: 12) * Math.Sqrt(noise);
var (xFit, yFit) = (x.SubMatrix(0, 80, 0, 3), y.SubMatrix(0, 80, 0, 1));
var (xHeldOut, yHeldOut) = (x.SubMatrix(80, 20, 0, 3), y.SubMatrix(80, 20, 0, 1));

double[] weightVariances = [0.5, 1.0, 1.5, 2.0, 3.0];
double[] biasVariances = [0.0, 0.1, 0.3, 1.0, 3.0];
using var engine = NngpEngine.Create(DeviceKind.Auto);
var scored = new List<(double WeightVariance, double BiasVariance, double Evidence, double HeldOutRmse)>();
foreach (double weightVariance in weightVariances)
{
    foreach (double biasVariance in biasVariances)
    {
        using var posterior = engine.Fit(Nngp.FullyConnected(2, Nngp.Relu(), weightVariance, biasVariance), xFit, yFit, new FitOptions { Noise = noise });
        var prediction = posterior.PredictMean(xHeldOut);
        double rmse = Math.Sqrt((prediction.Mean - yHeldOut).PointwisePower(2).Enumerate().Average());
        scored.Add((weightVariance, biasVariance, posterior.LogMarginalLikelihood, rmse));
    }
}

Console.WriteLine($"log marginal likelihood on {engine.Backend}; rows σw², columns σb² = {string.Join(", ", biasVariances)}");
foreach (double weightVariance in weightVariances)
{
    var row = scored.Where(s => s.WeightVariance == weightVariance).Select(s => $"{s.Evidence,9:F2}");
    Console.WriteLine($"{weightVariance,5:F2} {string.Join(' ', row)}");
}

var best = scored.MaxBy(s => s.Evidence);
var worst = scored.MinBy(s => s.Evidence);
Console.WriteLine($"best: σw² = {best.WeightVariance}, σb² = {best.BiasVariance} (held-out RMSE {best.HeldOutRmse:F3}); worst: σw² = {worst.WeightVariance}, σb² = {worst.BiasVariance} (held-out RMSE {worst.HeldOutRmse:F3})");
