using ILGPU;

namespace GpuNngp.Kernels.Device;

/// <summary>
/// How every ILGPU context of the GPU path is built (the kernels it launches are those of
/// <see cref="DeviceKernelCatalog"/>).
/// </summary>
internal static class DeviceContexts
{
    /// <summary>
    /// The context settings: ILGPU.Algorithms' math (PTX has no double tanh/exp/log: quadrature's
    /// activations need them; sqrt and division are native and correctly rounded), and
    /// <paramref name="accelerators"/> (e.g. <c>b =&gt; b.Cuda()</c>, or <c>b =&gt; b.CPU()</c> to simulate).
    /// </summary>
    public static Context Create(Func<Context.Builder, Context.Builder> accelerators)
    {
        ArgumentNullException.ThrowIfNull(accelerators);
        return Context.Create(builder => accelerators(builder.EnableAlgorithms()));
    }
}
