using GpuNngp;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

// Noisy observations of f(t) = sin(2t) at 40 points of [-2, 2], and the posterior of f at 13 points
// of [-3, 3] with error bars of two standard deviations: narrow among the data, wide outside it
// (where the ReLU kernel extrapolates almost linearly and sin does not). Each input row is (t, 1),
// so that the kernel sees an offset beside t.
const double noiseStd = 0.1;
double[] tTrain = [.. Enumerable.Range(0, 40).Select(i => -2 + 4.0 * i / 39)];
double[] tTest = [.. Enumerable.Range(0, 13).Select(i => -3 + 0.5 * i)];
Matrix<double> Inputs(double[] t) => Matrix<double>.Build.Dense(t.Length, 2, (i, j) => j == 0 ? t[i] : 1);
var random = new Random(3);
var yTrain = Matrix<double>.Build.Dense(tTrain.Length, 1, (i, _) => Math.Sin(2 * tTrain[i]) + Normal.Sample(random, 0, noiseStd));

var net = Nngp.FullyConnected(2, Nngp.Relu(), 2.0, 0.5);
using var engine = NngpEngine.Create(DeviceKind.Auto);
using var posterior = engine.Fit(net, Inputs(tTrain), yTrain, new FitOptions { Noise = noiseStd * noiseStd });   // the observations' variance
var prediction = posterior.Predict(Inputs(tTest));   // the variance and standard deviation are of f, without the noise
var mean = prediction.Mean;

Console.WriteLine($"{engine.Backend}; log marginal likelihood {posterior.LogMarginalLikelihood:F2}");
Console.WriteLine("     t     mean  ± 2 std   sin(2t)");
int inside = 0, covered = 0;
for (int i = 0; i < tTest.Length; i++)
{
    double bar = 2 * prediction.StandardDeviation[i];
    double truth = Math.Sin(2 * tTest[i]);
    if (Math.Abs(tTest[i]) <= 2)
    {
        inside++;
        covered += Math.Abs(mean[i, 0] - truth) <= bar ? 1 : 0;
    }

    Console.WriteLine($"{tTest[i],6:F2} {mean[i, 0],8:F3} {bar,8:F3} {truth,9:F3}");
}

Console.WriteLine($"among the data (|t| ≤ 2) {covered} of {inside} true values lie within two standard deviations of the mean");
