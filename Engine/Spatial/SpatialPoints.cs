namespace GpuNngp.Engine.Spatial;

/// <summary>
/// A set of images after their own runs of a <see cref="SliceProgram"/>: the images (point-major,
/// H·W·C values each), each point's chain of pixel variances, and its flat readout K(x, x) (and
/// Θ(x, x)) before the program's tail.
/// </summary>
internal sealed record SpatialPoints(double[] Images, int Count, double[] Chains, double[] ReadK, double[]? ReadTheta);
