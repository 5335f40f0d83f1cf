using GpuNngp.Engine.Computation;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Cpu;

/// <summary>Host copies of K⁰_DD (lower triangle, column-major N×N) and K⁰_DV (N×V).</summary>
internal sealed class CpuInputGram : InputGramCache
{
    public CpuInputGram(IHostLinearAlgebra linearAlgebra, Matrix<double> train, Matrix<double>? validation)
        : base(train, validation)
    {
        int n = train.RowCount, d = train.ColumnCount;
        double[] x = train.ToColumnMajorArray();
        TrainGram = new double[(long)n * n];
        linearAlgebra.SymmetricRankK(n, d, 1.0 / d, x, TrainGram);
        if (validation is not null)
        {
            int v = validation.RowCount;
            ValidationGram = new double[(long)n * v];
            linearAlgebra.Multiply(false, true, n, v, d, 1.0 / d, x, validation.ToColumnMajorArray(), 0, ValidationGram);
        }
    }

    public double[] TrainGram { get; }

    public double[]? ValidationGram { get; }

    protected override void Dispose(bool disposing)
    {
    }
}
