namespace GpuNngp;

/// <summary>
/// How a convolution or pooling window treats the image's border (DESIGN.md §7, as Neural
/// Tangents' <c>stax</c>): <see cref="Same"/> pads with zeros and keeps the size (⌈H/stride⌉),
/// <see cref="Valid"/> uses only windows inside the image (⌊(H − window)/stride⌋ + 1),
/// <see cref="Circular"/> wraps the offsets around the image (⌈H/stride⌉).
/// </summary>
public enum Padding
{
    Same,
    Valid,
    Circular,
}
