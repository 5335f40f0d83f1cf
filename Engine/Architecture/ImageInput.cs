using GpuNngp.Solvers;

namespace GpuNngp.Engine.Architecture;

/// <summary>
/// The input record of images (DESIGN.md §7): per pair of images the P × P covariance between pixels,
/// K⁰_ij(x, x′) = Σ_c x_{i,c} x′_{j,c} / C, and per image its own P × P block K⁰_ij(x, x); Θ⁰ = 0
/// where the NTK is tracked (the first weighted layer makes Θ = K).
/// </summary>
/// <remarks>
/// Layout. Images come as the engine's points do: an N × (H·W·C) column-major matrix, feature
/// k = p·C + c with pixel p = h·W + w — each row is one image of an (N, H, W, C) C-order array.
/// A pair's block (and a point's own block) holds entry (i, j) at i + j·P, i the row image's pixel,
/// j the column image's; blocks follow the column-major order of the pairs.
/// </remarks>
internal static class ImageInput
{
    /// <summary>
    /// The record of <paramref name="rows"/> images against <paramref name="columns"/> images; a null
    /// <paramref name="columnImages"/> means the row images themselves (a symmetric record). Both sets
    /// must have one image shape: the network is built for it.
    /// </summary>
    public static KernelRecord FromImages(
        double[] rowImages, int rows, ImageShape rowShape, double[]? columnImages, int columns, ImageShape columnShape, bool withNtk)
    {
        ArgumentNullException.ThrowIfNull(rowImages);
        if (rowShape != columnShape)
        {
            throw new NngpInputException($"input: the column images are {columnShape} but the row images are {rowShape}; the network takes one image shape");
        }

        bool symmetric = columnImages is null;
        double[] other = columnImages ?? rowImages;
        if (symmetric && columns != rows)
        {
            throw new ArgumentException($"the row images against themselves give a square record; got {rows}×{columns}");
        }

        CheckLength(rowImages, (long)rows * rowShape.Features, "row images");
        CheckLength(other, (long)columns * rowShape.Features, "column images");
        SpatialShape shape = rowShape.Pixels;
        int block = shape.Pixels * shape.Pixels;
        var gram = new double[ColumnMajor.Count(rows, columns) * block];
        Parallel.For(0, columns, column =>
        {
            for (int row = 0; row < rows; row++)
            {
                PixelGram(rowImages, rows, row, other, columns, column, rowShape, gram.AsSpan((int)(ColumnMajor.Index(row, column, rows) * block), block));
            }
        });

        double[] rowSelf = symmetric ? DiagonalBlocks(gram, rows, block) : SelfBlocks(rowImages, rows, rowShape);
        double[] columnSelf = symmetric ? rowSelf : SelfBlocks(other, columns, rowShape);
        double[]? ntk = withNtk ? new double[gram.Length] : null;
        double[]? rowNtk = withNtk ? new double[rowSelf.Length] : null;
        double[]? columnNtk = withNtk ? (symmetric ? rowNtk : new double[columnSelf.Length]) : null;
        return symmetric
            ? KernelRecord.Symmetric(rows, gram, rowSelf, ntk, rowNtk, shape)
            : KernelRecord.Rectangular(rows, columns, gram, rowSelf, columnSelf, ntk, rowNtk, columnNtk, shape);
    }

    /// <summary>Σ_c a_{i,c} b_{j,c} / C for every pixel pair (i, j) of image a against image b.</summary>
    private static void PixelGram(double[] a, int aCount, int aIndex, double[] b, int bCount, int bIndex, ImageShape shape, Span<double> block)
    {
        int pixels = shape.Height * shape.Width, channels = shape.Channels;
        for (int j = 0; j < pixels; j++)
        {
            for (int i = 0; i < pixels; i++)
            {
                double sum = 0;
                for (int c = 0; c < channels; c++)
                {
                    sum += a[ColumnMajor.Index(aIndex, i * channels + c, aCount)] * b[ColumnMajor.Index(bIndex, j * channels + c, bCount)];
                }

                block[i + j * pixels] = sum / channels;
            }
        }
    }

    private static double[] SelfBlocks(double[] images, int count, ImageShape shape)
    {
        int block = shape.Height * shape.Width * shape.Height * shape.Width;
        var result = new double[(long)count * block];
        for (int n = 0; n < count; n++)
        {
            PixelGram(images, count, n, images, count, n, shape, result.AsSpan(n * block, block));
        }

        return result;
    }

    /// <summary>A square record's own blocks are its diagonal pair blocks, copied so both sides read the same numbers.</summary>
    private static double[] DiagonalBlocks(double[] gram, int n, int block)
    {
        var result = new double[(long)n * block];
        for (int point = 0; point < n; point++)
        {
            gram.AsSpan((int)(ColumnMajor.Index(point, point, n) * block), block).CopyTo(result.AsSpan(point * block, block));
        }

        return result;
    }

    private static void CheckLength(double[] values, long expected, string what)
    {
        if (values.LongLength != expected)
        {
            throw new ArgumentException($"the {what} need {expected} values; got {values.LongLength}");
        }
    }
}
