using GpuNngp.Data;
using GpuNngp.Experiments.Evaluation;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Perf;

/// <summary>The inputs of one configuration: standardised X (N×d), one-hot − 0.1 targets Y (N×C), test X (M×d).</summary>
public sealed record BenchmarkData(Matrix<double> TrainInputs, Matrix<double> TrainTargets, Matrix<double> TestInputs);

/// <summary>
/// Sweep data: random inputs standardised per example (x·x/d = 1, as the paper's preprocessing
/// makes real images) and random class labels as one-hot − 0.1 targets; or a real data set.
/// Timings depend on the shapes only, never on the values, except through jitter retries (reported).
/// </summary>
public static class SyntheticData
{
    public const string Name = "synthetic";

    public static bool IsSynthetic(string dataset) => string.Equals(dataset, Name, StringComparison.OrdinalIgnoreCase);

    /// <summary>The largest training size a data set offers (int.MaxValue for synthetic data).</summary>
    public static int TrainLimit(string dataset, int testSize) => dataset.ToLowerInvariant() switch
    {
        Name => int.MaxValue,
        DataSplit.Mnist10kName => Datasets.Mnist10kCount - testSize,
        DataSplit.FashionMnistName => 60000,
        _ => int.MaxValue,
    };

    public static BenchmarkData Create(string dataset, int n, int m, int dimension, int outputs, int seed)
    {
        if (!IsSynthetic(dataset))
        {
            var split = DataSplit.Load(dataset, n, m, SplitProtocol.First);
            int classes = Math.Max(outputs, Math.Max(split.Train.Labels.Max(), split.Test.Labels.Max()) + 1);
            return new BenchmarkData(
                Preprocessing.StandardisePerExample(split.Train.Images),
                Preprocessing.OneHotTargets(split.Train.Labels, classes),
                Preprocessing.StandardisePerExample(split.Test.Images));
        }

        var random = new Random(seed);
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = random.Next(outputs);
        }

        return new BenchmarkData(
            Preprocessing.StandardisePerExample(Gaussian(n, dimension, random)),
            Preprocessing.OneHotTargets(labels, outputs),
            Preprocessing.StandardisePerExample(Gaussian(m, dimension, random)));
    }

    private static Matrix<double> Gaussian(int rows, int columns, Random random)
    {
        var values = new double[(long)rows * columns];
        for (long i = 0; i < values.Length; i += 2)
        {
            // Box–Muller: two standard normals per pair of uniforms.
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            double radius = Math.Sqrt(-2.0 * Math.Log(u1));
            values[i] = radius * Math.Cos(2 * Math.PI * u2);
            if (i + 1 < values.Length)
            {
                values[i + 1] = radius * Math.Sin(2 * Math.PI * u2);
            }
        }

        return Matrix<double>.Build.Dense(rows, columns, values);
    }
}
