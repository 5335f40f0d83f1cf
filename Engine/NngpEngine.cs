using GpuNngp.Engine;
using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Cpu;
using GpuNngp.Engine.Gpu;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Kernels.Lookup;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp;

/// <summary>
/// The entry point: computes NNGP/NTK kernels and exact GP posteriors on the device it was created
/// for. <c>NngpEngine.Create(DeviceKind.Auto)</c> takes an NVIDIA GPU when one is usable and the CPU
/// otherwise; <see cref="DeviceChoice"/> says which and why. All computation is FP64. Inputs are
/// used as given (no standardisation): the input covariance is K⁰ = x·x'/d, d the number of
/// features, so inputs standardised per example (x·x/d = 1) give the paper's kernels.
/// Dispose the engine to free its device (the GPU context, cuBLAS and cuSOLVER handles).
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

    /// <summary>
    /// Creates an engine on <paramref name="device"/>. On the CPU it uses OpenBLAS/LAPACK through the
    /// system's libblas.so.3 and liblapack.so.3 when they load, a managed fallback otherwise.
    /// </summary>
    /// <param name="device">Where to compute: <see cref="DeviceKind.Auto"/> takes a usable NVIDIA GPU, else the CPU.</param>
    /// <returns>An engine; <see cref="DeviceChoice"/> says what was chosen and why.</returns>
    /// <exception cref="NngpDeviceException"><see cref="DeviceKind.Gpu"/> was asked for and no GPU is usable (the message says why; <see cref="NngpException.Parameter"/> "device").</exception>
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
    /// Fits the exact GP posterior of the network's kernel to (X: N×d, Y: N×C). For activations
    /// without a closed form, <paramref name="lookup"/> = Auto lets the map (CPU or GPU) use lookup tables
    /// (<see cref="KernelLookupTable"/>) where the inputs share one norm and a table's measured error is
    /// within its tolerance; Off integrates every entry directly.
    /// </summary>
    /// <remarks>
    /// The fit computes K_DD, factorises A = K_DD + σε²I (Cholesky, with jitter if
    /// <paramref name="jitter"/> allows and A needs it), solves α = A⁻¹Y and the log marginal
    /// likelihood; the factor and α stay in the engine's memory (device memory on a GPU) until the
    /// posterior is disposed. Memory is checked before any work (<see cref="CheckFitMemory"/>).
    /// </remarks>
    /// <param name="network">The architecture; it must validate (<see cref="Network.Validate"/>). A convolutional one needs its image shape (<see cref="Network.OnImages"/>), and rows of H·W·C features.</param>
    /// <param name="x">Training inputs, N×d (N ≥ 2), finite, one point per row.</param>
    /// <param name="y">Training targets, N×C, finite: the C outputs share one factorisation (the paper's classification uses one-hot targets minus 0.1).</param>
    /// <param name="noise">σε², the observation noise variance added to the diagonal; finite and ≥ 0.</param>
    /// <param name="kind">The NNGP kernel K (Bayesian inference) or the NTK Θ (gradient-descent training to convergence).</param>
    /// <param name="jitter">What to add to the diagonal when A does not factorise; null for <see cref="JitterPolicy.Default"/>.</param>
    /// <param name="quadratureOrder">For activations without a closed form: 0 (the default) is the accurate graded Gauss–Legendre rule (≤ 1e-13 of the entry's scale up to pre-activation variance 100); 1 … 300 a cheaper Gauss–Hermite rule of that order, accurate only at small variances.</param>
    /// <param name="progress">Told the <see cref="StageProgress"/> of each stage; null for none.</param>
    /// <param name="lookup">Whether the map may use lookup tables for activations without a closed form.</param>
    /// <param name="inputGram">A cache of K⁰ made by this engine from the same <paramref name="x"/> object (<see cref="CacheInputGram"/>), to skip the input Gram; null to compute it.</param>
    /// <returns>The posterior, holding the factorisation; dispose it to free that memory.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="inputGram"/> was made from other training inputs or by another engine.</exception>
    /// <exception cref="NngpInputException">An invalid network; <paramref name="x"/> or <paramref name="y"/> missing, empty or not finite, or of different row counts; fewer than 2 points; a noise negative or not finite; a quadrature order out of range; an invalid jitter policy; a custom activation on a GPU; or more memory than the device has (the message names the bytes needed and available).</exception>
    /// <exception cref="NngpNumericalException">K_DD + σε²I not positive definite even with the jitter policy's largest jitter (<see cref="NngpException.Parameter"/> "noise": add noise or remove duplicate points), or a kernel or log likelihood that is not finite (<see cref="NonFiniteResultException"/>).</exception>
    /// <exception cref="NngpDeviceException">The GPU or its libraries failed during the fit.</exception>
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
        ArgumentNullException.ThrowIfNull(network);
        LayerPlan plan = LayerPlan.Compile(network);
        InputValidation.CheckMatrix(x, "training inputs");
        InputValidation.CheckMatrix(y, "training targets");
        InputValidation.CheckNonNegative(noise, "observation noise");
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
        if (inputGram is not null && !ReferenceEquals(inputGram.Train, x))
        {
            throw new ArgumentException("the input Gram cache was made from other training inputs", nameof(inputGram));
        }

        if (inputGram is not null && !inputGram.BelongsTo(_provider))
        {
            throw new ArgumentException("the input Gram cache was made by another engine", nameof(inputGram));
        }

        CheckFitMemory(x.RowCount, x.ColumnCount, y.ColumnCount, plan.Depth);
        var request = new FitRequest(plan, kind, x, y, noise, jitter ?? JitterPolicy.Default, quadratureOrder, lookup, inputGram);
        FittedModel model = DeviceFailures.Guard(() => FittedModel.Fit(_provider, request, progress));
        try
        {
            FiniteResults.CheckLogLikelihood(model.LogMarginalLikelihood);
        }
        catch
        {
            model.Dispose();
            throw;
        }

        return new GpPosterior(model, _provider.Name, x.RowCount, x.ColumnCount, y.ColumnCount, noise);
    }

    /// <summary>
    /// Computes the input Gram of <paramref name="x"/> (and of <paramref name="validation"/> against it)
    /// once, on this engine's device, for fits that differ only in architecture and noise: pass it to
    /// <see cref="Fit"/> with the same <paramref name="x"/>, and predict on the same
    /// <paramref name="validation"/> object to reuse its cross Gram too.
    /// </summary>
    /// <remarks>
    /// The cache is matched by object reference: it is valid only while the matrices are not
    /// changed. It holds N² values (and N·V for the validation Gram) in the engine's memory until disposed.
    /// </remarks>
    /// <param name="x">Training inputs, N×d, finite.</param>
    /// <param name="validation">Validation inputs, V×d, finite; null for none.</param>
    /// <returns>The cache; dispose it (before the engine) to free its memory.</returns>
    /// <exception cref="NngpInputException">A matrix missing, empty or not finite; a different number of features; or more memory than the device has.</exception>
    /// <exception cref="NngpDeviceException">The GPU or its libraries failed.</exception>
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
    /// <param name="trainCount">N, the training points (K_DD alone is 8·N² bytes).</param>
    /// <param name="dimension">d, the features per point; 0 when not known yet (a lower bound is checked).</param>
    /// <param name="outputs">C, the target columns; 0 when not known yet.</param>
    /// <param name="depth">L, the hidden layers (one variance per point each); 0 when not known yet.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="trainCount"/> is negative.</exception>
    /// <exception cref="NngpInputException">The fit does not fit in memory, or holds more values than the provider takes in one matrix.</exception>
    public void CheckFitMemory(int trainCount, int dimension = 0, int outputs = 0, int depth = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trainCount);
        MemoryPlan.CheckFit(_provider.Memory, _provider.AvailableBytes(), trainCount, dimension, outputs, depth);
    }

    /// <summary>
    /// K(X1, X2) (or K(X1, X1)), inputs used exactly as given, as a MathNet matrix: up to 2^31 entries
    /// (N = 46,340 for a square kernel); <see cref="HostKernel"/> has no such limit.
    /// </summary>
    /// <param name="network">The architecture (as for <see cref="Fit"/>).</param>
    /// <param name="x1">The first inputs, N1×d, finite: the rows of the kernel.</param>
    /// <param name="x2">The second inputs, N2×d, finite: the columns; null for K(X1, X1).</param>
    /// <param name="kind">The NNGP kernel K or the NTK Θ.</param>
    /// <param name="progress">Told the <see cref="StageProgress"/> of each stage; null for none.</param>
    /// <returns>The N1×N2 (or N1×N1, symmetric) kernel matrix.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="NngpInputException">An invalid network; an input missing, empty or not finite; a different number of features; a custom activation on a GPU; more entries than a MathNet matrix holds; or more memory than the machine has.</exception>
    /// <exception cref="NonFiniteResultException">A kernel entry that is not finite (an overflow, or a custom activation returning NaN/∞).</exception>
    /// <exception cref="NngpDeviceException">The GPU or its libraries failed.</exception>
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
    /// <param name="network">The architecture (as for <see cref="Fit"/>).</param>
    /// <param name="x1">The first inputs, N1×d, finite: the rows of the kernel.</param>
    /// <param name="x2">The second inputs, N2×d, finite: the columns; null for K(X1, X1).</param>
    /// <param name="kind">The NNGP kernel K or the NTK Θ.</param>
    /// <param name="progress">Told the <see cref="StageProgress"/> of each stage; null for none.</param>
    /// <returns>The N1×N2 (or N1×N1, symmetric) kernel matrix, column-major in native memory.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="NngpInputException">An invalid network; an input missing, empty or not finite; a different number of features; a custom activation on a GPU; or more memory than the machine has.</exception>
    /// <exception cref="NonFiniteResultException">A kernel entry that is not finite.</exception>
    /// <exception cref="NngpDeviceException">The GPU or its libraries failed.</exception>
    public HostMatrix HostKernel(
        Network network, Matrix<double> x1, Matrix<double>? x2 = null, KernelKind kind = KernelKind.Nngp, IProgress<StageProgress>? progress = null) =>
        ComputeKernel(network, x1, x2, kind, progress, hostCopies: 1);

    private HostMatrix ComputeKernel(Network network, Matrix<double> x1, Matrix<double>? x2, KernelKind kind, IProgress<StageProgress>? progress, int hostCopies)
    {
        ArgumentNullException.ThrowIfNull(network);
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
        HostMatrix kernel = DeviceFailures.Guard(() => KernelPipeline.Compute(_provider, plan, x1, x2, kind, progress));
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

    /// <summary>Frees what the engine holds on its device (on a GPU: the context and the cuBLAS/cuSOLVER handles).</summary>
    public void Dispose() => _provider.Dispose();
}
