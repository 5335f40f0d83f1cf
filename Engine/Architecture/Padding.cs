namespace GpuNngp;

/// <summary>
/// How a convolution or pooling window treats the image's border (docs/mathematics.md §7, as Neural
/// Tangents' <c>stax</c>): <see cref="Same"/> pads with zeros and keeps the size (⌈H/stride⌉),
/// <see cref="Valid"/> uses only windows inside the image (⌊(H − window)/stride⌋ + 1),
/// <see cref="Circular"/> wraps the offsets around the image (⌈H/stride⌉).
/// </summary>
public enum Padding
{
    /// <summary>Zero padding around the image; the output has ⌈H/stride⌉ rows (the input's size at stride 1).</summary>
    Same,

    /// <summary>No padding: only windows inside the image, ⌊(H − window)/stride⌋ + 1 rows.</summary>
    Valid,

    /// <summary>The offsets wrap around the image (a torus); ⌈H/stride⌉ rows.</summary>
    Circular,
}
