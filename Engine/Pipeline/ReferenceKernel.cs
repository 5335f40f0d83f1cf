using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Computation;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Pipeline;

/// <summary>
/// The kernel of a plan no provider runs yet (the convolutional layers), by the plan's host
/// reference (<see cref="LayerPlan.Apply"/>): the image input record, every operation in turn, the
/// flat readout's NNGP or NTK. Exact, and as slow as the reference is (every pair's P × P block per
/// layer, on the host whichever device the engine has): for small sets until the providers have
/// their stencil kernels.
/// </summary>
internal static class ReferenceKernel
{
    public static KernelRecord Record(LayerPlan plan, Matrix<double> x1, Matrix<double>? x2, KernelKind kind)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(x1);
        ImageShape shape = plan.InputShape ?? throw new NngpInputException(
            "a convolutional network needs the shape of its images: Network.OnImages(height, width, channels)", "network");
        shape.CheckFeatures(x1.ColumnCount, "first inputs");
        if (x2 is not null)
        {
            shape.CheckFeatures(x2.ColumnCount, "second inputs");
        }

        KernelRecord input = ImageInput.FromImages(
            HostPreparation.ColumnMajor(x1), x1.RowCount, shape, x2 is null ? null : HostPreparation.ColumnMajor(x2), x2?.RowCount ?? x1.RowCount, shape, withNtk: kind == KernelKind.Ntk);
        KernelRecord output = plan.Apply(input, QuadratureRules.Get(QuadratureRules.DefaultOrder));
        return output.Shape is null ? output : throw new NngpInputException($"the network ends on images of {output.Shape}: end it with Flatten or GlobalAvgPool and a Dense readout", "network");
    }

    public static HostMatrix Compute(LayerPlan plan, Matrix<double> x1, Matrix<double>? x2, KernelKind kind)
    {
        KernelRecord record = Record(plan, x1, x2, kind);
        ReadOnlySpan<double> values = (kind == KernelKind.Ntk ? record.Ntk : record.Nngp).Span;
        var result = HostMatrix.Allocate(record.Rows, record.Columns);
        values.CopyTo(result.Storage.Slice(0, checked((int)ColumnMajor.Count(record.Rows, record.Columns))));
        if (record.IsSymmetric)
        {
            // Exactly symmetric, as the providers' lower-triangle map and its mirror make it.
            SymmetricTriangles.MirrorLowerToUpper(result.Storage, record.Rows);
        }

        return result;
    }
}
