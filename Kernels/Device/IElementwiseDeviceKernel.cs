using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>
/// An implicitly grouped device kernel defined by its arguments (see <see cref="IGroupedDeviceKernel"/>):
/// one thread per element of <see cref="Extent"/>, grouped as ILGPU chooses.
/// </summary>
internal interface IElementwiseDeviceKernel
{
    /// <summary>Threads to launch.</summary>
    int Extent { get; }

    /// <summary>The body of the thread for element <paramref name="index"/> (0 ≤ index &lt; <see cref="Extent"/>).</summary>
    void Execute(Index1D index);
}
