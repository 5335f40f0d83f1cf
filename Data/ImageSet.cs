using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Data;

/// <summary>
/// N images of H × W pixels and C channels, as the convolutional kernels read them. The values are
/// <see cref="Pixels"/>, an N × (H·W·C) matrix with one image per row, each image's pixels row-major
/// and the channels innermost: entry (n, (h·W + w)·C + c) is channel c of pixel (h, w) of image n,
/// NumPy's C-order <c>x.reshape(N, -1)</c> of an (N, H, W, C) array. The paper's per-image
/// preprocessing (row standardisation) therefore applies to it unchanged.
/// </summary>
public sealed class ImageSet
{
    /// <summary>N images of <paramref name="height"/> × <paramref name="width"/> × <paramref name="channels"/> (the matrix is kept, not copied).</summary>
    /// <param name="pixels">N × (H·W·C): one image per row, pixels row-major, channels innermost.</param>
    /// <param name="height">H, in pixels, ≥ 1.</param>
    /// <param name="width">W, in pixels, ≥ 1.</param>
    /// <param name="channels">C, ≥ 1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="pixels"/> is null.</exception>
    /// <exception cref="NngpInputException">A side or the channels below 1, or rows that are not H·W·C values.</exception>
    public ImageSet(Matrix<double> pixels, int height, int width, int channels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (height < 1 || width < 1 || channels < 1)
        {
            throw new NngpInputException($"images need positive sides and channels, got {height}×{width}×{channels}");
        }

        if (pixels.ColumnCount != (long)height * width * channels)
        {
            throw new NngpInputException($"{pixels.ColumnCount} values per image do not make {height}×{width}×{channels} images ({(long)height * width * channels} values)");
        }

        Pixels = pixels;
        Height = height;
        Width = width;
        Channels = channels;
    }

    /// <summary>N × (H·W·C): one image per row, pixels row-major, channels innermost.</summary>
    public Matrix<double> Pixels { get; }

    /// <summary>N, the number of images.</summary>
    public int Count => Pixels.RowCount;

    /// <summary>H, each image's height in pixels.</summary>
    public int Height { get; }

    /// <summary>W, each image's width in pixels.</summary>
    public int Width { get; }

    /// <summary>C, the channels of each pixel.</summary>
    public int Channels { get; }

    /// <summary>The column of channel <paramref name="channel"/> of pixel (<paramref name="row"/>, <paramref name="column"/>) in <see cref="Pixels"/>.</summary>
    public int Column(int row, int column, int channel) => (((row * Width) + column) * Channels) + channel;

    /// <summary>e.g. "1000 images of 28×28×1".</summary>
    public override string ToString() => $"{Count} images of {Height}×{Width}×{Channels}";

    /// <summary>
    /// Reads an (N, H, W, C) .npy array (float64, float32 or uint8; C or Fortran order) or an IDX
    /// image file (N × H × W, one channel; or N × H × W × C), chosen by the extension: .npy, else IDX.
    /// Every problem, another rank included, is a one-line <see cref="NngpInputException"/>.
    /// </summary>
    public static ImageSet Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) ? ReadNpy(path) : ReadIdx(path);
    }

    /// <summary>Reads an (N, H, W, C) .npy array; see <see cref="Read"/>.</summary>
    public static ImageSet ReadNpy(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw InputErrors.Error(path, "is a directory, not an NPY file");
        }

        var array = InputErrors.Guard(path, () =>
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            return NpyReader.ReadArray(file, path, rank => rank == 4,
                shape => $"array of shape {shape} is not a set of images: they are read as a 4-D (N, H, W, C) array (add a channel axis to grey images: x[..., None])");
        });
        var (n, h, w, c) = (array.Shape[0], array.Shape[1], array.Shape[2], array.Shape[3]);
        Checked(path, n, h, w, c);
        int columns = h * w * c;

        // Column-major storage of N × (H·W·C); the source index follows the file's order.
        var storage = new double[(long)n * columns];
        for (int image = 0; image < n; image++)
        {
            for (int row = 0; row < h; row++)
            {
                for (int column = 0; column < w; column++)
                {
                    for (int channel = 0; channel < c; channel++)
                    {
                        long source = array.FortranOrder
                            ? image + ((long)n * (row + ((long)h * (column + ((long)w * channel)))))
                            : (((((long)image * h) + row) * w + column) * c) + channel;
                        int target = (((row * w) + column) * c) + channel;
                        storage[((long)target * n) + image] = array.Decode(array.Payload, source);
                    }
                }
            }
        }

        return Finite(path, new ImageSet(Matrix<double>.Build.Dense(n, columns, storage), h, w, c));
    }

    /// <summary>Reads an IDX image file (N × H × W as one channel, or N × H × W × C); see <see cref="Read"/>.</summary>
    public static ImageSet ReadIdx(string path)
    {
        var array = IdxReader.Read(path);
        var d = array.Dimensions;
        if (d.Count is not (3 or 4))
        {
            throw InputErrors.Error(path, $"IDX array of {d.Count} dimension{(d.Count == 1 ? "" : "s")} ({InputErrors.Shape(d)}) is not a set of images: they are N × H × W (one channel) or N × H × W × C");
        }

        int channels = d.Count == 4 ? d[3] : 1;
        Checked(path, d[0], d[1], d[2], channels);

        // IDX is row-major: image, row, column (, channel), exactly the layout of Pixels' rows.
        return Finite(path, new ImageSet(array.ToMatrix(), d[1], d[2], channels));
    }

    private static void Checked(string path, int n, int h, int w, int c)
    {
        if (n == 0 || h == 0 || w == 0 || c == 0)
        {
            throw InputErrors.Error(path, $"no images (shape {n}×{h}×{w}×{c})");
        }

        if ((long)h * w * c > int.MaxValue)
        {
            throw InputErrors.Error(path, $"images of {h}×{w}×{c} values are too large");
        }
    }

    private static ImageSet Finite(string path, ImageSet images)
    {
        var storage = images.Pixels.AsColumnMajorArray();
        for (long i = 0; i < storage.LongLength; i++)
        {
            if (!double.IsFinite(storage[i]))
            {
                long row = i % images.Count;
                long column = i / images.Count;
                throw InputErrors.Error(path, $"image {row} has a non-finite value ({storage[i]}) at value {column}");
            }
        }

        return images;
    }
}
