using System.Collections.Immutable;
using GpuNngp.Engine.Architecture;
using GpuNngp.Kernels;

namespace GpuNngp.Engine.Spatial;

/// <summary>
/// A step that maps each offset slice of a pair's covariance on its own (see <see cref="SliceProgram"/>):
/// a slice-local convolution, an activation, or a residual block of such steps.
/// </summary>
internal abstract record SliceStep;

/// <summary>
/// A convolution with zero padding (same or valid), any filter and strides: output slice D reads
/// input slice stride·D only, so it maps slices one by one. It is separable: the sum over the
/// filter's rows of the sums over its columns.
/// </summary>
internal sealed record SliceConv(WindowAxis Rows, WindowAxis Columns, DenseVariances Weights, SpatialShape Input, SpatialShape Output) : SliceStep
{
    /// <summary>1/(k_h·k_w): the filter's taps average the input (zeros of the padding included).</summary>
    public double TapScale => 1.0 / (Rows.Window * Columns.Window);
}

/// <summary>
/// A pointwise activation on <paramref name="Grid"/>; <paramref name="Index"/> numbers it in the
/// program (its pixel variances are entry Index of every point's chain). <paramref name="View"/>
/// is the one-layer network view the scalar dual activation reads (quadrature, user delegates).
/// </summary>
internal sealed record SliceActivation(int Index, ActivationLayer Layer, HostNetworkView View, SpatialShape Grid) : SliceStep;

/// <summary>A residual block whose branches are slice steps: each branch from the same slice, the results summed.</summary>
internal sealed record SliceResidual(ImmutableArray<ImmutableArray<SliceStep>> Branches) : SliceStep;

/// <summary>
/// A layer that mixes slices, run on the whole materialised covariance of the previous segment:
/// average pooling (independent window offsets on the two sides) or a circular convolution (the same
/// offset on both, wrapped), with <paramref name="Weights"/> for the convolution.
/// </summary>
internal sealed record SliceBarrier(SpatialWindow Window, bool SharedOffset, DenseVariances? Weights, string Description)
{
    /// <summary>The mean's divisor: k_h·k_w taps per side for a convolution, (k_h·k_w)² pairs for a pooling.</summary>
    public double TapScale => SharedOffset ? 1.0 / Window.Offsets : 1.0 / ((double)Window.Offsets * Window.Offsets);
}
