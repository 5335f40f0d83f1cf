using GpuNngp.Engine;
using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Cpu;
using GpuNngp.Engine.Gpu;
using GpuNngp.Engine.Persistence;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Kernels.Lookup;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp;

/// <summary>
/// The entry point: computes NNGP/NTK kernels and exact GP posteriors on the device it was created
/// for. <c>NngpEngine.Create(DeviceKind.Auto)</c> takes an NVIDIA GPU when one is usable and the CPU
/// otherwise; <see cref="DeviceChoice"/> says which and why. An engine computes one call at a time:
/// calls from several threads on one engine, its posteriors and its Gram caches are safe and wait
/// for each other (README "Threads and lifetime"); after <see cref="Dispose"/> every call throws
/// <see cref="ObjectDisposedException"/>, on the CPU as on a GPU.
/// </summary>
public sealed class NngpEngine : IDisposable
{
    private readonly IComputeProvider _provider;
    private readonly EngineGate _gate = new();
    private bool _disposed;

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
        InputValidation.CheckDefined(device, nameof(device));

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
    /// Fits the exact GP posterior of the network's kernel to (X: N×d, Y: N×C). For activations
    /// without a closed form, <paramref name="lookup"/> = Auto lets the map (CPU or GPU) use lookup tables
    /// (<see cref="KernelLookupTable"/>) where the inputs share one norm and a table's measured error is
    /// within its tolerance; Off integrates every entry directly.
    /// </summary>
    public GpPosterior Fit(
        Network network,
        Matrix<double> x,
        Matrix<double> y,
        double noise = 0,
        KernelKind kind = KernelKind.Nngp,
        JitterPolicy? jitter = null,
        int quadratureOrder = QuadratureRules.DefaultOrder,
        IProgress<StageProgress>? progress = null,
        LookupTableMode lookup = LookupTableMode.Auto,
        InputGramCache? inputGram = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(network);
        LayerPlan plan = LayerPlan.Compile(network);
        InputValidation.CheckMatrix(x, "training inputs");
        InputValidation.CheckMatrix(y, "training targets");
        InputValidation.CheckNonNegative(noise, "observation noise");
        InputValidation.CheckDefined(kind, nameof(kind));
        InputValidation.CheckDefined(lookup, nameof(lookup));
        if (x.RowCount != y.RowCount)
        {
            throw new NngpInputException($"training inputs have {x.RowCount} rows but training targets {y.RowCount}");
        }

        if (x.RowCount < 2)
        {
            throw new NngpInputException($"a fit needs at least 2 training points, got {x.RowCount}");
        }

        QuadratureRules.Get(quadratureOrder);
        jitter?.Validate();
        CheckDevice(plan);
        inputGram?.CheckFor(_provider, x, nameof(inputGram));
        CheckFitMemory(x.RowCount, x.ColumnCount, y.ColumnCount, plan.Depth);
        var request = new FitRequest(plan, kind, x, y, noise, jitter ?? JitterPolicy.Default, quadratureOrder, lookup, inputGram);
        FittedModel model = _gate.Run(this, () => FittedModel.Fit(_provider, request, progress));
        try
        {
            FiniteResults.CheckLogLikelihood(model.LogMarginalLikelihood);
        }
        catch
        {
            model.Dispose();
            throw;
        }

        return new GpPosterior(model, network, _gate, _provider.Name, x.RowCount, x.ColumnCount, y.ColumnCount, noise);
    }

    /// <summary>
    /// A posterior saved by <see cref="GpPosterior.Save(Stream)"/>, read from <paramref name="stream"/>
    /// onto this engine's device — whichever provider saved it — ready to predict without refitting
    /// (docs/persistence.md). On the provider that saved it, it predicts bit for bit as the saved
    /// posterior did. A stream that is not a posterior file, has another format version, is truncated
    /// or fails its checksum is refused with a one-line <see cref="NngpInputException"/>, as is a
    /// posterior too large for this engine's memory.
    /// </summary>
    public GpPosterior LoadPosterior(Stream stream)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(stream);
        var (model, network, _) = _gate.Run(this, () => PosteriorFormat.Read(stream, _provider));
        FitRequest request = model.Request;
        return new GpPosterior(model, network, _gate, _provider.Name, request.X.RowCount, request.X.ColumnCount, request.Y.ColumnCount, request.Noise);
    }

    /// <summary>
    /// Computes the input Gram of <paramref name="x"/> (and of <paramref name="validation"/> against it)
    /// once, on this engine's device, for fits that differ only in architecture and noise: pass it to
    /// <see cref="Fit"/> with training inputs of the same values, and predict on validation inputs of
    /// the same values to reuse their cross Gram too. It is matched by the values (a fingerprint taken
    /// now), so a matrix changed in place afterwards is refused by <see cref="Fit"/> and predicted
    /// from its new values.
    /// </summary>
    public InputGramCache CacheInputGram(Matrix<double> x, Matrix<double>? validation = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
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
        return _gate.Run(this, () => new InputGramCache(_provider, _gate, x, validation));
    }

    /// <summary>
    /// Refuses, before any work (and before the caller loads its data), a fit of
    /// <paramref name="trainCount"/> points that cannot fit in this engine's memory — host RAM
    /// (MemAvailable) on the CPU, free device memory on a GPU — with an <see cref="NngpInputException"/>
    /// naming the bytes needed and available. <see cref="Fit"/> makes the same check with the exact sizes.
    /// </summary>
    public void CheckFitMemory(int trainCount, int dimension = 0, int outputs = 0, int depth = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(trainCount);
        ArgumentOutOfRangeException.ThrowIfNegative(dimension);
        ArgumentOutOfRangeException.ThrowIfNegative(outputs);
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        MemoryPlan.CheckFit(_provider.Memory, _provider.AvailableBytes(), trainCount, dimension, outputs, depth);
    }

    /// <summary>
    /// K(X1, X2) (or K(X1, X1)), inputs used exactly as given, as a MathNet matrix: up to 2^31 entries
    /// (N = 46,340 for a square kernel); <see cref="HostKernel"/> has no such limit.
    /// </summary>
    public Matrix<double> Kernel(
        Network network, Matrix<double> x1, Matrix<double>? x2 = null, KernelKind kind = KernelKind.Nngp, IProgress<StageProgress>? progress = null)
    {
        using HostMatrix kernel = ComputeKernel(network, x1, x2, kind, progress, hostCopies: 2);
        return kernel.ToMatrix();
    }

    /// <summary>
    /// K(X1, X2) (or K(X1, X1)) in native host memory, any size the memory holds (refused before any
    /// work otherwise): read it by column, or write it with <c>GpuNngp.Data.MatrixFile.Write</c>.
    /// Dispose it to free the memory.
    /// </summary>
    public HostMatrix HostKernel(
        Network network, Matrix<double> x1, Matrix<double>? x2 = null, KernelKind kind = KernelKind.Nngp, IProgress<StageProgress>? progress = null) =>
        ComputeKernel(network, x1, x2, kind, progress, hostCopies: 1);

    private HostMatrix ComputeKernel(Network network, Matrix<double> x1, Matrix<double>? x2, KernelKind kind, IProgress<StageProgress>? progress, int hostCopies)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(network);
        InputValidation.CheckDefined(kind, nameof(kind));
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

        MemoryPlan.CheckKernel(_provider.Memory, _provider.AvailableBytes(), HostMemory.Available(), x1.RowCount, columns, x1.ColumnCount, plan.Depth, hostCopies);
        HostMatrix kernel = _gate.Run(this, () => KernelPipeline.Compute(_provider, plan, x1, x2, kind, progress));
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

    /// <summary>
    /// Frees the device (on a GPU: its context and memory) once the call running now, if any, has
    /// ended. Every later call — of this engine, and of the posteriors and Gram caches it made —
    /// throws <see cref="ObjectDisposedException"/>; disposing those afterwards is still allowed.
    /// </summary>
    public void Dispose()
    {
        _disposed = true;
        _gate.Close(_provider);
    }
}
