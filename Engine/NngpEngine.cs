using GpuNngp.Engine;
using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Cpu;
using GpuNngp.Engine.Gpu;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp;

/// <summary>
/// The entry point: computes NNGP/NTK kernels and exact GP posteriors on the device it was created
/// for. <c>NngpEngine.Create(DeviceKind.Auto)</c> takes an NVIDIA GPU when one is usable and the CPU
/// otherwise; <see cref="DeviceChoice"/> says which and why.
/// </summary>
public sealed class NngpEngine : IDisposable
{
    private readonly IComputeProvider _provider;

    internal NngpEngine(IComputeProvider provider, string choice)
    {
        _provider = provider;
        DeviceChoice = choice;
    }

    /// <summary>Where this engine computes, e.g. "CPU (2 threads, OpenBLAS ...)".</summary>
    public string Backend => _provider.Name;

    /// <summary>One line: the device chosen and why.</summary>
    public string DeviceChoice { get; }

    /// <summary>True when the engine runs on a GPU.</summary>
    public bool IsGpu => _provider.IsGpu;

    /// <summary>Creates an engine on the CPU with the default host provider (native BLAS when it loads).</summary>
    public static NngpEngine Create(DeviceKind device = DeviceKind.Auto) => Create(device, HostLinearAlgebra.Default);

    /// <summary>Creates an engine; on the CPU with the given host linear algebra provider.</summary>
    internal static NngpEngine Create(DeviceKind device, IHostLinearAlgebra hostLinearAlgebra) => Create(device, hostLinearAlgebra, HostMemory.Available);

    /// <summary>
    /// Creates an engine whose CPU backend reads the host memory still available from
    /// <paramref name="availableHostMemory"/> (bytes; null = unknown, nothing refused) instead of
    /// /proc/meminfo's MemAvailable: for tests, or to give a computation less than the whole machine.
    /// </summary>
    internal static NngpEngine Create(DeviceKind device, IHostLinearAlgebra hostLinearAlgebra, Func<long?> availableHostMemory)
    {
        ArgumentNullException.ThrowIfNull(hostLinearAlgebra);
        ArgumentNullException.ThrowIfNull(availableHostMemory);
        if (device == DeviceKind.Cpu)
        {
            var cpu = new CpuProvider(hostLinearAlgebra, availableHostMemory);
            return new NngpEngine(cpu, $"device: {cpu.Name} (asked for the CPU)");
        }

        if (GpuProvider.TryCreate(out var gpu, out string reason))
        {
            return new NngpEngine(gpu, $"device: {gpu.Name} ({(device == DeviceKind.Gpu ? "asked for the GPU" : "a usable GPU was found")})");
        }

        if (device == DeviceKind.Gpu)
        {
            throw new NngpDeviceException($"device = DeviceKind.Gpu: no usable GPU: {reason}", "device");
        }

        var fallback = new CpuProvider(hostLinearAlgebra, availableHostMemory);
        return new NngpEngine(fallback, $"device: {fallback.Name} (no usable GPU: {reason})");
    }

    /// <summary>
    /// Fits the exact GP posterior of the network's kernel to (X: N×d, Y: N×C) with
    /// <paramref name="options"/> (<see cref="FitOptions.Default"/> when null: no noise, the NNGP, the
    /// default jitter policy and quadrature, lookup tables where they are accurate). A cancelled
    /// <paramref name="cancellationToken"/> stops the fit within a block step (between map columns and
    /// factorisation blocks) with <see cref="OperationCanceledException"/>, freeing its memory.
    /// </summary>
    public GpPosterior Fit(Network network, Matrix<double> x, Matrix<double> y, FitOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        options ??= FitOptions.Default;
        options.Validate();
        LayerPlan plan = LayerPlan.Compile(network);
        InputValidation.CheckMatrix(x, "training inputs");
        InputValidation.CheckMatrix(y, "training targets");
        if (x.RowCount != y.RowCount)
        {
            throw new NngpInputException($"training inputs have {x.RowCount} rows but training targets {y.RowCount}");
        }

        if (x.RowCount < 2)
        {
            throw new NngpInputException($"a fit needs at least 2 training points, got {x.RowCount}");
        }

        CheckDevice(plan);
        if (options.InputGram is { } inputGram && !ReferenceEquals(inputGram.Train, x))
        {
            throw new ArgumentException("the input Gram cache was made from other training inputs", nameof(options));
        }

        if (options.InputGram is { } cache && !cache.BelongsTo(_provider))
        {
            throw new ArgumentException("the input Gram cache was made by another engine", nameof(options));
        }

        MemoryPlan.CheckFit(_provider.Memory, options.Cap(_provider.AvailableBytes()), x.RowCount, x.ColumnCount, y.ColumnCount, plan.Depth);
        var request = new FitRequest(plan, x, y, options);
        FittedModel model = DeviceFailures.Guard(() => FittedModel.Fit(_provider, request, cancellationToken));
        try
        {
            FiniteResults.CheckLogLikelihood(model.LogMarginalLikelihood);
        }
        catch
        {
            model.Dispose();
            throw;
        }

        return new GpPosterior(model, _provider.Name, x.RowCount, x.ColumnCount, y.ColumnCount, options.Noise);
    }

    /// <summary>
    /// Computes the input Gram of <paramref name="x"/> (and of <paramref name="validation"/> against it)
    /// once, on this engine's device, for fits that differ only in architecture and noise: pass it to
    /// <see cref="Fit"/> with the same <paramref name="x"/>, and predict on the same
    /// <paramref name="validation"/> object to reuse its cross Gram too.
    /// </summary>
    public InputGramCache CacheInputGram(Matrix<double> x, Matrix<double>? validation = null)
    {
        InputValidation.CheckMatrix(x, "training inputs");
        if (validation is not null)
        {
            InputValidation.CheckMatrix(validation, "validation inputs");
            if (validation.ColumnCount != x.ColumnCount)
            {
                throw new NngpInputException($"validation inputs have {validation.ColumnCount} features, the training inputs {x.ColumnCount}");
            }
        }

        MemoryPlan.CheckInputGram(_provider.Memory, _provider.AvailableBytes(), x.RowCount, validation?.RowCount ?? 0, x.ColumnCount);
        return DeviceFailures.Guard(() => new InputGramCache(_provider, x, validation));
    }

    /// <summary>
    /// Refuses, before any work (and before the caller loads its data), a fit of
    /// <paramref name="trainCount"/> points that cannot fit in this engine's memory — host RAM
    /// (MemAvailable) on the CPU, free device memory on a GPU — with an <see cref="NngpInputException"/>
    /// naming the bytes needed and available. <see cref="Fit"/> makes the same check with the exact sizes.
    /// </summary>
    public void CheckFitMemory(int trainCount, int dimension = 0, int outputs = 0, int depth = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trainCount);
        MemoryPlan.CheckFit(_provider.Memory, _provider.AvailableBytes(), trainCount, dimension, outputs, depth);
    }

    /// <summary>
    /// K(X1, X2) (or K(X1, X1)), inputs used exactly as given, as a MathNet matrix: up to 2^31 entries
    /// (N = 46,340 for a square kernel); <see cref="HostKernel(Network, Matrix{double}, Matrix{double}?, KernelOptions?, CancellationToken)"/>
    /// has no such limit. <paramref name="options"/>: <see cref="KernelOptions.Default"/> when null (a
    /// <see cref="FitOptions"/> works too: its kernel options apply). A cancelled
    /// <paramref name="cancellationToken"/> stops it between map columns with <see cref="OperationCanceledException"/>.
    /// </summary>
    public Matrix<double> Kernel(
        Network network, Matrix<double> x1, Matrix<double>? x2 = null, KernelOptions? options = null, CancellationToken cancellationToken = default)
    {
        using HostMatrix kernel = ComputeKernel(network, x1, x2, options ?? KernelOptions.Default, cancellationToken, hostCopies: 2);
        return kernel.ToMatrix();
    }

    /// <summary>The kernel of the given kind with the other options at their defaults: <c>Kernel(network, x1, x2, new KernelOptions { Kind = kind })</c>.</summary>
    public Matrix<double> Kernel(Network network, Matrix<double> x1, Matrix<double>? x2, KernelKind kind) =>
        Kernel(network, x1, x2, new KernelOptions { Kind = kind });

    /// <summary>
    /// K(X1, X2) (or K(X1, X1)) in native host memory, any size the memory holds (refused before any
    /// work otherwise): read it by column, or write it with <c>GpuNngp.Data.MatrixFile.Write</c>.
    /// Dispose it to free the memory. Options and cancellation as for
    /// <see cref="Kernel(Network, Matrix{double}, Matrix{double}?, KernelOptions?, CancellationToken)"/>.
    /// </summary>
    public HostMatrix HostKernel(
        Network network, Matrix<double> x1, Matrix<double>? x2 = null, KernelOptions? options = null, CancellationToken cancellationToken = default) =>
        ComputeKernel(network, x1, x2, options ?? KernelOptions.Default, cancellationToken, hostCopies: 1);

    private HostMatrix ComputeKernel(Network network, Matrix<double> x1, Matrix<double>? x2, KernelOptions options, CancellationToken cancellationToken, int hostCopies)
    {
        ArgumentNullException.ThrowIfNull(network);
        options.Validate();
        LayerPlan plan = LayerPlan.Compile(network);
        InputValidation.CheckMatrix(x1, "first inputs");
        if (x2 is not null)
        {
            InputValidation.CheckMatrix(x2, "second inputs");
            if (x2.ColumnCount != x1.ColumnCount)
            {
                throw new NngpInputException($"the two input sets have {x1.ColumnCount} and {x2.ColumnCount} features");
            }
        }

        CheckDevice(plan);
        int columns = x2?.RowCount ?? x1.RowCount;
        if (hostCopies > 1 && ColumnMajor.Count(x1.RowCount, columns) > Array.MaxLength)
        {
            throw new NngpInputException(
                $"a {x1.RowCount:N0}×{columns:N0} kernel is larger than a MathNet matrix holds ({Array.MaxLength:N0} entries); use NngpEngine.HostKernel");
        }

        MemoryPlan.CheckKernel(
            _provider.Memory, options.Cap(_provider.AvailableBytes()), options.Cap(HostMemory.Available()), x1.RowCount, columns, x1.ColumnCount, plan.Depth, hostCopies);
        HostMatrix kernel = DeviceFailures.Guard(() => KernelPipeline.Compute(_provider, plan, x1, x2, options, cancellationToken));
        try
        {
            FiniteResults.CheckKernel(kernel);
        }
        catch
        {
            kernel.Dispose();
            throw;
        }

        return kernel;
    }

    private void CheckDevice(LayerPlan network)
    {
        if (!_provider.RunsCustomActivations && network.HasCustomActivation)
        {
            throw new NngpInputException("custom (delegate) activations run on the CPU only; create the engine with DeviceKind.Cpu");
        }
    }

    public void Dispose() => _provider.Dispose();
}
