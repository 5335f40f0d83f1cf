using GpuNngp.Engine.Computation;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Cpu;

/// <summary>Host copies of K⁰_DD (lower triangle, column-major N×N) and K⁰_DV (N×V), in native memory freed on Dispose.</summary>
internal sealed class CpuInputGram : InputGramCache
{
    public CpuInputGram(IHostLinearAlgebra linearAlgebra, Matrix<double> train, Matrix<double>? validation)
        : base(train, validation)
    {
        int n = train.RowCount, d = train.ColumnCount;
        using var x = HostBuffer.CopyOf(train.ToColumnMajorArray());
        TrainGram = HostBuffer.Allocate(ColumnMajor.Count(n, n));
        try
        {
            linearAlgebra.SymmetricRankK(n, d, 1.0 / d, x, TrainGram);
            if (validation is not null)
            {
                int v = validation.RowCount;
                using var xv = HostBuffer.CopyOf(validation.ToColumnMajorArray());
                ValidationGram = HostBuffer.Allocate(ColumnMajor.Count(n, v));
                linearAlgebra.Multiply(false, true, n, v, d, 1.0 / d, x, xv, 0, ValidationGram);
            }
        }
        catch
        {
            Dispose(disposing: true);
            throw;
        }
    }

    /// <summary>K⁰_DD, lower triangle (the upper one is undefined), in native memory.</summary>
    public HostBuffer TrainGram { get; }

    /// <summary>K⁰_DV, N×V, in native memory.</summary>
    public HostBuffer? ValidationGram { get; }

    protected override void Dispose(bool disposing)
    {
        TrainGram?.Dispose();
        ValidationGram?.Dispose();
    }
}
