namespace GpuNngp.Engine.Architecture;

/// <summary>
/// How a window (a filter, a pooling window) treats the image's border, as Neural Tangents' stax
/// and <c>lax</c> do (DESIGN.md §7).
/// </summary>
internal enum SpatialPadding
{
    /// <summary>Output ⌈n/s⌉ per axis; the window may reach past the border, where the image is zero (lax's SAME split: the smaller half before).</summary>
    Same,

    /// <summary>Only windows inside the image: ⌊(n − k)/s⌋ + 1 per axis, the image shrinks.</summary>
    Valid,

    /// <summary>SAME's geometry with the offsets wrapped around the image (a torus) instead of zeros.</summary>
    Circular,
}
