namespace GpuNngp.Engine.Spatial;

/// <summary>
/// √q and 1/√q of every entry of a set of points' chains of pixel variances (point-major, as the
/// chains), which the ReLU family's slice form takes as products instead of a root and a division
/// per entry: computed once per set of points, not once per pair.
/// </summary>
internal sealed record PixelRoots(double[] Roots, double[] InverseRoots)
{
    public static PixelRoots Of(double[] chains)
    {
        ArgumentNullException.ThrowIfNull(chains);
        var roots = new double[chains.Length];
        var inverse = new double[chains.Length];
        SliceClosedForms.Roots(chains, roots, inverse);
        return new PixelRoots(roots, inverse);
    }
}
