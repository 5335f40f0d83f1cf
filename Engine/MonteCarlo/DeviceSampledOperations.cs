using GpuNngp.Engine.Gpu;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Kernels.Device;
using ILGPU;
using ILGPU.Runtime;

namespace GpuNngp.Engine.MonteCarlo;

/// <summary>
/// A device provider's <see cref="SampledOperations"/>: each step one ILGPU kernel
/// (<see cref="WindowGatherKernel"/>, <see cref="WindowScatterKernel"/>, <see cref="BiasKernel"/>,
/// <see cref="UnitActivationKernel"/>, <see cref="ElementwiseProductKernel"/>,
/// <see cref="AccumulateKernel"/>, <see cref="BlockContractionKernel"/>) queued on the provider's
/// stream between its cuBLAS gemms, so a draw's tensors never leave the device.
/// </summary>
internal sealed class DeviceSampledOperations(IComputeProvider provider, Accelerator accelerator, AcceleratorStream stream, GpuKernels kernels)
    : SampledOperations(provider)
{
    public override bool RunsCustomActivations => false;

    public override IndexTable Table(int[] values) => new DeviceIndexTable(accelerator, stream, values);

    public override void WindowGather(ProviderBuffer input, ProviderBuffer output, SampledWindow window, int channels, int points, double scale, bool patches) =>
        kernels.LaunchElementwise(stream, new WindowGatherKernel(
            View(input), View(output), channels, window.InPixels, window.OutPixels, window.Offsets, Indices(window.Sources), points, scale, patches ? 1 : 0));

    public override void WindowScatter(ProviderBuffer outputGradient, ProviderBuffer inputGradient, SampledWindow window, int channels, int points, double scale, bool patches) =>
        kernels.LaunchElementwise(stream, new WindowScatterKernel(
            View(outputGradient), View(inputGradient), channels, window.InPixels, window.OutPixels, window.Offsets, Indices(window.Starts), Indices(window.Entries), points, scale, patches ? 1 : 0));

    public override void AddBias(ProviderBuffer z, ProviderBuffer bias, int rows, double scale) =>
        kernels.LaunchElementwise(stream, new BiasKernel(View(z), View(bias), rows, scale));

    public override void Activate(ProviderBuffer z, ProviderBuffer output, ProviderBuffer? derivative, UnitActivation activation)
    {
        if (activation.IsCustom)
        {
            throw new NngpInputException($"the custom activation '{activation.Name}' is a managed delegate: its Monte Carlo kernel runs on the CPU only (DeviceKind.Cpu)");
        }

        kernels.LaunchElementwise(stream, new UnitActivationKernel(View(z), View(output), View(derivative ?? output), activation.Activation, derivative is null ? 0 : 1));
    }

    public override void Product(ProviderBuffer target, ProviderBuffer a, ProviderBuffer b) =>
        kernels.LaunchElementwise(stream, new ElementwiseProductKernel(View(target), View(a), View(b)));

    public override void Accumulate(ProviderBuffer target, ProviderBuffer source) =>
        kernels.LaunchElementwise(stream, new AccumulateKernel(View(target), View(source)));

    public override void Contract(
        ProviderBuffer sum, ProviderBuffer gradientGram, ProviderBuffer inputGram, int pixels, int rowStart, int rowCount, int columnStart, int columnCount, int points, double weightScale, double bias) =>
        kernels.LaunchElementwise(stream, new BlockContractionKernel(
            View(sum), View(gradientGram), View(inputGram), pixels, rowStart, rowCount, columnStart, columnCount, points, weightScale, bias));

    private static ArrayView<double> View(ProviderBuffer buffer) =>
        (buffer as GpuBuffer ?? throw new ArgumentException($"a {buffer.GetType().Name} is not a device buffer", nameof(buffer))).View.SubView(0, buffer.Length);

    private static ArrayView<int> Indices(IndexTable table) =>
        (table as DeviceIndexTable ?? throw new ArgumentException("the index table was made for another provider", nameof(table))).View;

    /// <summary>An index table copied to the device once, freed with the sampler.</summary>
    private sealed class DeviceIndexTable : IndexTable
    {
        private readonly MemoryBuffer1D<int, Stride1D.Dense> _memory;

        public DeviceIndexTable(Accelerator accelerator, AcceleratorStream stream, int[] values)
            : base(values)
        {
            _memory = GpuHost.Allocate<int>(accelerator, values.Length, "a Monte Carlo index table");
            GpuHost.CopyIn<int>(stream, _memory.View, values);
        }

        public ArrayView<int> View => _memory.View;

        protected override void Dispose(bool disposing) => _memory.Dispose();
    }
}
