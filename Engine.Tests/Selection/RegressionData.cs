using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Tests.Selection;

/// <summary>A small deterministic regression problem: a smooth function of Gaussian inputs plus noise of standard deviation 0.1.</summary>
internal static class RegressionData
{
    public static (Matrix<double> X, Matrix<double> Y) Create(int n, int dimension, int outputs, int seed)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var x = Matrix<double>.Build.Dense(n, dimension, (_, _) => Normal());
        var y = Matrix<double>.Build.Dense(n, outputs, (i, c) => Math.Sin(2 * x[i, 0] + c) + 0.5 * x[i, 1 % dimension] * x[i, 1 % dimension] - 0.5 + 0.1 * Normal());
        return (x, y);
    }
}
