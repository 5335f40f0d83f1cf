using GpuNngp.Engine.Computation;

namespace GpuNngp.Engine.Spatial;

/// <summary>
/// A provider's form of one <see cref="SliceProgram"/>: the points' own runs and the pairs' runs up
/// to the readout (the flat tail is the pipeline's). Inputs and outputs are host arrays; a device
/// provider moves them itself.
/// </summary>
internal interface ISpatialKernel : IDisposable
{
    /// <summary>The own runs of <paramref name="count"/> point-major <paramref name="images"/>.</summary>
    SpatialPoints Points(double[] images, int count);

    /// <summary>
    /// The readouts of the pairs of all <paramref name="rows"/> and the columns [columnStart,
    /// columnStart + columnCount) of <paramref name="columns"/> into column-major <paramref name="k"/>
    /// (and <paramref name="theta"/>), rows.Count × columnCount; with <paramref name="lowerTriangle"/>
    /// (rows and columns the same set) only the entries on and below the diagonal, the others untouched.
    /// </summary>
    void Pairs(SpatialPoints rows, SpatialPoints columns, int columnStart, int columnCount, bool lowerTriangle, double[] k, double[]? theta, ProgressCounter progress);
}
