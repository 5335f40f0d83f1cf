using GpuNngp;
using MathNet.Numerics.LinearAlgebra;

// Fit once, save the posterior, load it (here into a second engine, as a later program would) and
// predict without refitting: on the same device the loaded posterior predicts bit for bit what the
// fitted one did. (GpuNngp.Data's PosteriorFile.Save/Load write and read a file atomically; the core
// works on any stream.)
var x = Matrix<double>.Build.Dense(30, 2, (i, j) => j == 0 ? Math.Cos(0.2 * i) : Math.Sin(0.3 * i));
var y = Matrix<double>.Build.Dense(30, 1, (i, _) => x[i, 0] * x[i, 1]);
var xLater = Matrix<double>.Build.Dense(5, 2, (i, j) => j == 0 ? Math.Cos(0.7 * i + 0.1) : Math.Sin(0.5 * i));

string path = Path.Combine(Path.GetTempPath(), $"gpunngp-example-{Environment.ProcessId}.nngp");
Prediction before;
using (var engine = NngpEngine.Create(DeviceKind.Auto))
using (var posterior = engine.Fit(Nngp.FullyConnected(2, Nngp.Erf(), 1.5, 0.05), x, y, new FitOptions { Noise = 1e-6 }))
{
    before = posterior.Predict(xLater);
    using var file = File.Create(path);
    posterior.Save(file);
}

try
{
    using var later = NngpEngine.Create(DeviceKind.Auto);
    using var loaded = later.LoadPosterior(File.OpenRead(path));
    var after = loaded.Predict(xLater);
    bool same = before.Mean.Equals(after.Mean) && before.Variance.SequenceEqual(after.Variance);
    Console.WriteLine($"saved {new FileInfo(path).Length:N0} bytes ({loaded.Network}, N = {loaded.TrainCount}); the loaded posterior's mean at the first later point is {after.Mean[0, 0]:G6}, ± {after.StandardDeviation[0]:G3}; the same predictions as before saving: {same}");
    return same ? 0 : 1;
}
finally
{
    File.Delete(path);
}
