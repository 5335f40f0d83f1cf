using GpuNngp.Engine.Tests.Data;

namespace GpuNngp.Engine.Tests.Cli;

/// <summary>
/// Small MNIST-format directories (the four IDX files) of H × W images for the commands' data-set
/// tests: 8 × 8 keeps the convolutional kernels on the host fast.
/// </summary>
internal static class ImageDatasetFiles
{
    /// <summary>
    /// Writes <paramref name="directory"/> with <paramref name="train"/> training and <paramref name="test"/>
    /// test images of random uint8 pixels (labels i mod 3); a channel count above 1 is a 4-D
    /// N × H × W × C file, 0 a flat 2-D N × (H·W) one.
    /// </summary>
    public static void Write(string directory, int train, int test, int side = 8, int trainChannels = 1, int testChannels = 1, int seed = 80)
    {
        Directory.CreateDirectory(directory);
        var random = new Random(seed);
        byte[] Images(int count, int channels)
        {
            int[] shape = channels switch
            {
                0 => [count, side * side],
                1 => [count, side, side],
                _ => [count, side, side, channels],
            };
            var pixels = new byte[count * side * side * Math.Max(channels, 1)];
            random.NextBytes(pixels);
            return TestFiles.Idx(0x08, shape, pixels);
        }

        static byte[] Labels(int count) => TestFiles.Idx(0x08, [count], [.. Enumerable.Range(0, count).Select(i => (byte)(i % 3))]);
        File.WriteAllBytes(Path.Combine(directory, "train-images-idx3-ubyte"), Images(train, trainChannels));
        File.WriteAllBytes(Path.Combine(directory, "train-labels-idx1-ubyte"), Labels(train));
        File.WriteAllBytes(Path.Combine(directory, "t10k-images-idx3-ubyte"), Images(test, testChannels));
        File.WriteAllBytes(Path.Combine(directory, "t10k-labels-idx1-ubyte"), Labels(test));
    }
}
