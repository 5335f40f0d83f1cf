namespace GpuNngp.Engine.Architecture;

/// <summary>
/// A window of <c>height × width</c> pixels sliding over an image with strides and padding: the two
/// <see cref="WindowAxis"/> and the map from (output pixel, window offset) to input pixel. Pixels
/// are numbered row by row, p = h·W + w, as in <see cref="ImageInput"/>.
/// </summary>
internal sealed class SpatialWindow
{
    private readonly int[] _sources;

    /// <summary>
    /// The window over <paramref name="input"/>; <paramref name="operation"/> names the layer in the
    /// one-line error when a VALID window is larger than the image.
    /// </summary>
    public SpatialWindow(SpatialShape input, int height, int width, int strideHeight, int strideWidth, SpatialPadding padding, string operation)
    {
        Rows = new WindowAxis(input.Height, height, strideHeight, padding);
        Columns = new WindowAxis(input.Width, width, strideWidth, padding);
        if (Rows.Output == 0 || Columns.Output == 0)
        {
            throw new NngpInputException($"{operation}: the {height}×{width} window is larger than the {input} image it gets (valid padding)");
        }

        Input = input;
        Output = new SpatialShape(Rows.Output, Columns.Output);
        Offsets = height * width;
        _sources = new int[Output.Pixels * Offsets];
        for (int oh = 0; oh < Rows.Output; oh++)
        {
            for (int ow = 0; ow < Columns.Output; ow++)
            {
                for (int dh = 0; dh < height; dh++)
                {
                    for (int dw = 0; dw < width; dw++)
                    {
                        int h = Rows.Source(oh, dh), w = Columns.Source(ow, dw);
                        _sources[(oh * Output.Width + ow) * Offsets + dh * width + dw] = h < 0 || w < 0 ? -1 : h * input.Width + w;
                    }
                }
            }
        }
    }

    public WindowAxis Rows { get; }

    public WindowAxis Columns { get; }

    public SpatialShape Input { get; }

    public SpatialShape Output { get; }

    /// <summary>The pixels in one window, k_h·k_w.</summary>
    public int Offsets { get; }

    /// <summary>The input pixel that output pixel <paramref name="output"/> reads at offset <paramref name="offset"/> (row-major in the window); −1 on padding zeros.</summary>
    public int Source(int output, int offset) => _sources[output * Offsets + offset];
}
