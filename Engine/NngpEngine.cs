using GpuNngp.Engine;
using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Cpu;
using GpuNngp.Engine.Distributed;
using GpuNngp.Engine.Gpu;
using GpuNngp.Engine.MonteCarlo;
using GpuNngp.Engine.Persistence;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp;

/// <summary>
/// The entry point: computes NNGP/NTK kernels and exact GP posteriors on the device it was created
/// for. <c>NngpEngine.Create(DeviceKind.Auto)</c> takes an NVIDIA GPU when one is usable and the CPU
/// otherwise; <see cref="DeviceChoice"/> says which and why. All computation is FP64. Inputs are
/// used as given (no standardisation): the input covariance is K⁰ = x·x'/d, d the number of
/// features, so inputs standardised per example (x·x/d = 1) give the paper's kernels.
/// An engine computes one call at a time: calls from several threads on one engine, its posteriors
/// and its Gram caches are safe and wait for each other (README "Threads and lifetime"); after
/// <see cref="Dispose"/> every call throws <see cref="ObjectDisposedException"/>, on the CPU as on a GPU.
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
        InputValidation.CheckDefined(device, nameof(device));

        if (device == DeviceKind.Cpu)
        {
            var cpu = new CpuProvider(hostLinearAlgebra, availableHostMemory);
            return new NngpEngine(cpu, $"device: {cpu.Name} (asked for the CPU)");
        }

        if (device == DeviceKind.Distributed)
        {
            var distributed = DistributedProvider.Create(hostLinearAlgebra);
            return new NngpEngine(distributed, $"device: {distributed.Name} (asked for the distributed provider)");
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
    /// <remarks>
    /// The fit computes K_DD, factorises A = K_DD + σε²I (a blocked Cholesky, with jitter if the
    /// options' policy allows and A needs it), solves α = A⁻¹Y and the log marginal likelihood; the
    /// factor and α stay in the engine's memory (device memory on a GPU) until the posterior is
    /// disposed. Memory is checked before any work (<see cref="CheckFitMemory"/>). With
    /// <see cref="FitOptions.Solver"/> = <see cref="SolverKind.Pcg"/> it solves by preconditioned conjugate gradients instead (<see cref="PcgOptions"/>): no N×N FP64 matrix.
    /// </remarks>
    /// <param name="network">The architecture; it must validate (<see cref="Network.Validate"/>). A convolutional one needs its image shape (<see cref="Network.OnImages"/>), and rows of H·W·C features.</param>
    /// <param name="x">Training inputs, N×d (N ≥ 2), finite, one point per row.</param>
    /// <param name="y">Training targets, N×C, finite: the C outputs share one factorisation (the paper's classification uses one-hot targets minus 0.1).</param>
    /// <param name="options">Noise, kernel kind, jitter, quadrature, lookup tables, input Gram cache, progress, memory cap and threads; null for <see cref="FitOptions.Default"/>.</param>
    /// <param name="cancellationToken">Cancels the fit (within a block step).</param>
    /// <returns>The posterior, holding the factorisation; dispose it to free that memory.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentException">The options' input Gram cache was made from other training inputs or by another engine.</exception>
    /// <exception cref="NngpInputException">An invalid network or option; <paramref name="x"/> or <paramref name="y"/> missing, empty or not finite, or of different row counts; fewer than 2 points; a custom activation on a GPU; or more memory than the device has (the message names the bytes needed and available).</exception>
    /// <exception cref="NngpNumericalException">K_DD + σε²I not positive definite even with the jitter policy's largest jitter (<see cref="NngpException.Parameter"/> "noise": add noise or remove duplicate points), or a kernel or log likelihood that is not finite (<see cref="NonFiniteResultException"/>).</exception>
    /// <exception cref="NngpDeviceException">The GPU or its libraries failed during the fit.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public GpPosterior Fit(Network network, Matrix<double> x, Matrix<double> y, FitOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= FitOptions.Default;
        LayerPlan plan = Plan(network, options, () => CheckTrainingSet(x, y, "a fit needs"));
        options.InputGram?.CheckFor(_provider, x, nameof(options));
        // PCG makes its own checks (the FP32 kernel's host memory) in PcgModel.Fit, before any work.
        if (options.Solver != SolverKind.Pcg)
        {
            MemoryPlan.CheckFit(_provider.Memory, options.Cap(_provider.AvailableBytes()), x.RowCount, x.ColumnCount, y.ColumnCount, plan.Depth);
        }

        var request = new FitRequest(plan, x, y, options);
        IPosteriorModel model = _gate.Run(this, () => options.Solver == SolverKind.Pcg
            ? _provider is DistributedProvider ranks ? ranks.FitPcg(request, cancellationToken) : Engine.Iterative.PcgModel.Fit(_provider, request, cancellationToken)
            : (IPosteriorModel)FittedModel.Fit(_provider, request, cancellationToken));
        try
        {
            FiniteResults.CheckLogLikelihood(model.LogMarginalLikelihood);
        }
        catch
        {
            model.Dispose();
            throw;
        }

        return new GpPosterior(model, network, _gate, _provider.Name, x.RowCount, x.ColumnCount, y.ColumnCount, options.Noise);
    }

    /// <summary>
    /// Gradient descent on the squared loss 1/(2NC)·Σ(f − y)² for the infinite ensemble of the network's
    /// infinitely wide versions, fitted to (X: N×d, Y: N×C) from ONE eigendecomposition of the training
    /// kernel (docs/mathematics.md, "Training dynamics"): the NTK regime (all layers trained; Θ and K)
    /// with <c>Kind = KernelKind.Ntk</c>, the NNGP regime (readout only; K) by default. The result
    /// predicts at any times t ≥ 0 and t = ∞ (<see cref="GradientDescentDynamics.Predict"/>).
    /// </summary>
    /// <param name="network">The architecture (as for <see cref="Fit"/>).</param>
    /// <param name="x">Training inputs, N×d (N ≥ 2), finite.</param>
    /// <param name="y">Training targets, N×C, finite.</param>
    /// <param name="options">Regime, learning rate, diag_reg, eigenvalue tolerance and the kernel's options; null for <see cref="DynamicsOptions.Default"/>.</param>
    /// <param name="cancellationToken">Cancels between map columns and stages.</param>
    /// <returns>The decomposition, in this engine's memory; dispose it to free that memory.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="NngpInputException">An invalid network or option; inputs missing, not finite or of different row counts; fewer than 2 points; a custom activation on a GPU; too much memory; or an indefinite training kernel (an eigenvalue below −<see cref="DynamicsOptions.EigenvalueTolerance"/>·λ_max).</exception>
    /// <exception cref="NngpNumericalException">The eigensolver did not converge.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public GradientDescentDynamics FitDynamics(Network network, Matrix<double> x, Matrix<double> y, DynamicsOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= DynamicsOptions.Default;
        LayerPlan plan = Plan(network, options, () => CheckTrainingSet(x, y, "gradient-descent dynamics need"));

        // Two N×N kernels, the eigenvectors and Vᵀ·K_DD·V: about four fits' worth of N² memory.
        MemoryPlan.CheckFit(_provider.Memory, options.Cap(_provider.AvailableBytes()) / 4, x.RowCount, x.ColumnCount, y.ColumnCount, plan.Depth);
        Matrix<double> trainInputs = x.Clone(), targets = y.Clone();
        DynamicsModel model = _gate.Run(this, () => DynamicsModel.Fit(_provider, plan, trainInputs, targets, options, cancellationToken));
        return new GradientDescentDynamics(model, _gate, network, options, x.RowCount, x.ColumnCount, y.ColumnCount);
    }

    /// <summary>
    /// A posterior saved by <see cref="GpPosterior.Save(Stream)"/>, read from <paramref name="stream"/>
    /// onto this engine's device — whichever provider saved it — ready to predict without refitting
    /// (docs/persistence.md). On the provider that saved it, it predicts bit for bit as the saved
    /// posterior did. A stream that is not a posterior file, has another format version, is truncated
    /// or fails its checksum is refused with a one-line <see cref="NngpInputException"/>, as is a
    /// posterior too large for this engine's memory.
    /// </summary>
    /// <param name="stream">A readable stream positioned at the start of a posterior file.</param>
    /// <returns>The posterior, on this engine's device; dispose it to free that memory.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="NngpInputException">Not a posterior file, another format version, truncated, corrupted, or too large for this engine.</exception>
    /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
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
    /// <param name="trainCount">N, the training points (K_DD alone is 8·N² bytes).</param>
    /// <param name="dimension">d, the features per point; 0 when not known yet (a lower bound is checked).</param>
    /// <param name="outputs">C, the target columns; 0 when not known yet.</param>
    /// <param name="depth">L, the hidden layers (one variance per point each); 0 when not known yet.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="trainCount"/> is negative.</exception>
    /// <exception cref="NngpInputException">The fit does not fit in memory, or holds more values than the provider takes in one matrix.</exception>
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
    /// (N = 46,340 for a square kernel); <see cref="HostKernel(Network, Matrix{double}, Matrix{double}?, KernelOptions?, CancellationToken)"/>
    /// has no such limit. <paramref name="options"/>: <see cref="KernelOptions.Default"/> when null (a
    /// <see cref="FitOptions"/> works too: its kernel options apply). A cancelled
    /// <paramref name="cancellationToken"/> stops it between map columns with <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <param name="network">The architecture (as for <see cref="Fit"/>).</param>
    /// <param name="x1">The first inputs, N1×d, finite: the rows of the kernel.</param>
    /// <param name="x2">The second inputs, N2×d, finite: the columns; null for K(X1, X1).</param>
    /// <param name="options">Kernel kind, quadrature, lookup tables, progress, memory cap and threads; null for <see cref="KernelOptions.Default"/>.</param>
    /// <param name="cancellationToken">Cancels the computation (between map columns).</param>
    /// <returns>The N1×N2 (or N1×N1, symmetric) kernel matrix.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="NngpInputException">An invalid network; an input missing, empty or not finite; a different number of features; a custom activation on a GPU; more entries than a MathNet matrix holds; or more memory than the machine has.</exception>
    /// <exception cref="NonFiniteResultException">A kernel entry that is not finite (an overflow, or a custom activation returning NaN/∞).</exception>
    /// <exception cref="NngpDeviceException">The GPU or its libraries failed.</exception>
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
    /// <param name="network">The architecture (as for <see cref="Fit"/>).</param>
    /// <param name="x1">The first inputs, N1×d, finite: the rows of the kernel.</param>
    /// <param name="x2">The second inputs, N2×d, finite: the columns; null for K(X1, X1).</param>
    /// <param name="options">Kernel kind, quadrature, lookup tables, progress, memory cap and threads; null for <see cref="KernelOptions.Default"/>.</param>
    /// <param name="cancellationToken">Cancels the computation (between map columns).</param>
    /// <returns>The N1×N2 (or N1×N1, symmetric) kernel matrix, column-major in native memory.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="NngpInputException">An invalid network; an input missing, empty or not finite; a different number of features; a custom activation on a GPU; or more memory than the machine has.</exception>
    /// <exception cref="NonFiniteResultException">A kernel entry that is not finite.</exception>
    /// <exception cref="NngpDeviceException">The GPU or its libraries failed.</exception>
    public HostMatrix HostKernel(
        Network network, Matrix<double> x1, Matrix<double>? x2 = null, KernelOptions? options = null, CancellationToken cancellationToken = default) =>
        ComputeKernel(network, x1, x2, options ?? KernelOptions.Default, cancellationToken, hostCopies: 1);

    /// <summary>
    /// A Monte Carlo estimate of the kernel of finite networks (docs/mathematics.md, "Monte Carlo
    /// kernels"): <see cref="MonteCarloOptions.Samples"/> networks of
    /// <see cref="MonteCarloOptions.Width"/> units per layer drawn in the NTK parameterisation from
    /// <see cref="MonteCarloOptions.Seed"/>; the NNGP estimate is the mean over draws and readout units
    /// of f_k(x1)·f_k(x2), the NTK estimate the mean over draws of ∇θf₀(x1)·∇θf₀(x2) by backpropagation.
    /// Both converge to <see cref="Kernel(Network, Matrix{double}, Matrix{double}?, KernelOptions?, CancellationToken)"/>
    /// as the width grows. Every network the engine takes: W units per Dense layer and W channels per
    /// Conv (a convolutional network on images, <see cref="Network.OnImages"/>), convolutions as gemms
    /// over im2col patches. It computes where the engine does (the host BLAS, or the GPU's cuBLAS and
    /// kernels; a custom activation on the host), the weights drawn on the host, so the same seed gives
    /// the same matrix on either. A cancelled <paramref name="cancellationToken"/>
    /// stops it between layers with <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <param name="network">A network as for <see cref="Kernel(Network, Matrix{double}, Matrix{double}?, KernelOptions?, CancellationToken)"/>: Dense, (φ, Dense) × L, or a convolutional one on images.</param>
    /// <param name="x1">The first inputs, N1×d, finite: the rows of the kernel.</param>
    /// <param name="x2">The second inputs, N2×d, finite: the columns; null for K(X1, X1).</param>
    /// <param name="options">Width, samples, seed, kind and progress; null for <see cref="MonteCarloOptions.Default"/>.</param>
    /// <param name="cancellationToken">Cancels the estimate (between layers).</param>
    /// <returns>The N1×N2 (or N1×N1, symmetric) estimate.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="NngpInputException">A width or sample count below 1; a network that does not validate or does not fit its images; a residual block whose branches differ in channels at width W; an input missing, empty or not finite; a different number of features; the NTK of a custom activation without φ'; or more memory than the device has.</exception>
    /// <exception cref="NonFiniteResultException">An estimate that is not finite (an overflow, or a custom activation returning NaN/∞).</exception>
    public Matrix<double> MonteCarloKernel(
        Network network, Matrix<double> x1, Matrix<double>? x2 = null, MonteCarloOptions? options = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(network);
        options ??= MonteCarloOptions.Default;
        options.Validate();
        CheckInputs(x1, x2);
        Matrix<double> estimate = _gate.Run(this, () => MonteCarloEstimator.Estimate(_provider, network, x1, x2, options, cancellationToken));
        if (!estimate.ForAll(double.IsFinite))
        {
            throw new NonFiniteResultException("the Monte Carlo kernel has entries that are not finite (an overflow in the sampled network, or an activation returning NaN/∞)");
        }

        return estimate;
    }

    private static void CheckInputs(Matrix<double> x1, Matrix<double>? x2)
    {
        InputValidation.CheckMatrix(x1, "first inputs");
        if (x2 is not null)
        {
            InputValidation.CheckMatrix(x2, "second inputs");
            if (x2.ColumnCount != x1.ColumnCount)
            {
                throw new NngpInputException($"the two input sets have {x1.ColumnCount} and {x2.ColumnCount} features");
            }
        }
    }

    private HostMatrix ComputeKernel(Network network, Matrix<double> x1, Matrix<double>? x2, KernelOptions options, CancellationToken cancellationToken, int hostCopies)
    {
        LayerPlan plan = Plan(network, options, () => CheckInputs(x1, x2));
        int columns = x2?.RowCount ?? x1.RowCount;
        if (hostCopies > 1 && ColumnMajor.Count(x1.RowCount, columns) > Array.MaxLength)
        {
            throw new NngpInputException(
                $"a {x1.RowCount:N0}×{columns:N0} kernel is larger than a MathNet matrix holds ({Array.MaxLength:N0} entries); use NngpEngine.HostKernel");
        }

        MemoryPlan.CheckKernel(
            _provider.Memory, options.Cap(_provider.AvailableBytes()), options.Cap(HostMemory.Available()), x1.RowCount, columns, x1.ColumnCount, plan.Depth, hostCopies);
        HostMatrix kernel = _gate.Run(this, () => KernelPipeline.Compute(_provider, plan, x1, x2, options, cancellationToken));
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

    /// <summary>
    /// What every computing call checks first, in this order: the engine, the network, the options, the
    /// plan, the call's own inputs (<paramref name="checkInputs"/>), and that this device can run the plan.
    /// </summary>
    private LayerPlan Plan(Network network, KernelOptions options, Action checkInputs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(network);
        options.Validate();
        LayerPlan plan = LayerPlan.Compile(network);
        checkInputs();
        CheckDevice(plan);
        return plan;
    }

    /// <summary>Training inputs and targets present, finite, of one row count, at least 2 points (<paramref name="who"/> names the call in that refusal).</summary>
    private static void CheckTrainingSet(Matrix<double> x, Matrix<double> y, string who)
    {
        InputValidation.CheckMatrix(x, "training inputs");
        InputValidation.CheckMatrix(y, "training targets");
        if (x.RowCount != y.RowCount)
        {
            throw new NngpInputException($"training inputs have {x.RowCount} rows but training targets {y.RowCount}");
        }

        if (x.RowCount < 2)
        {
            throw new NngpInputException($"{who} at least 2 training points, got {x.RowCount}");
        }
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
