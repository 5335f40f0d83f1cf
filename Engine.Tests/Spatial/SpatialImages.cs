using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Computation;
using GpuNngp.Kernels;
using GpuNngp.Solvers;

namespace GpuNngp.Engine.Tests.Spatial;

/// <summary>Random images for the spatial tests, as the engine takes them and as [h, w, c] arrays, and the step-by-step application of operations.</summary>
internal static class SpatialImages
{
    public static readonly QuadratureRule Rule = QuadratureRules.Get(QuadratureRules.DefaultOrder);

    /// <summary>An N × (H·W·C) column-major matrix (feature (h·W + w)·C + c), each image at its own scale so the pixel variances differ.</summary>
    public static double[] Random(int count, ImageShape shape, int seed)
    {
        var random = new Random(seed);
        var images = new double[count * shape.Features];
        for (int n = 0; n < count; n++)
        {
            double scale = 0.6 + 0.8 * n / Math.Max(1, count - 1);
            for (int k = 0; k < shape.Features; k++)
            {
                images[ColumnMajor.Index(n, k, count)] = scale * Gaussian(random);
            }
        }

        return images;
    }

    /// <summary>Image <paramref name="index"/> of the matrix as x[h, w, c].</summary>
    public static double[,,] Image(double[] images, int count, int index, ImageShape shape)
    {
        var x = new double[shape.Height, shape.Width, shape.Channels];
        for (int h = 0; h < shape.Height; h++)
        {
            for (int w = 0; w < shape.Width; w++)
            {
                for (int c = 0; c < shape.Channels; c++)
                {
                    x[h, w, c] = images[ColumnMajor.Index(index, (h * shape.Width + w) * shape.Channels + c, count)];
                }
            }
        }

        return x;
    }

    public static KernelRecord Apply(KernelRecord input, IEnumerable<ILayerOperation> operations)
    {
        KernelRecord record = input;
        foreach (ILayerOperation operation in operations)
        {
            record = operation.Apply(record, Rule);
        }

        return record;
    }

    public static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
