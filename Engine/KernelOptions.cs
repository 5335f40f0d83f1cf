using GpuNngp.Engine.Computation;

namespace GpuNngp;

/// <summary>
/// How <see cref="NngpEngine.Kernel(Network, MathNet.Numerics.LinearAlgebra.Matrix{double}, MathNet.Numerics.LinearAlgebra.Matrix{double}?, KernelOptions?, CancellationToken)"/>
/// and <see cref="NngpEngine.HostKernel(Network, MathNet.Numerics.LinearAlgebra.Matrix{double}, MathNet.Numerics.LinearAlgebra.Matrix{double}?, KernelOptions?, CancellationToken)"/>
/// compute a kernel, and the part of <see cref="FitOptions"/> a fit shares with them. Immutable: make
/// one with an object initialiser (<c>new KernelOptions { Kind = KernelKind.Ntk }</c>) or a <c>with</c>
/// expression; the engine validates it before any work, refusing a bad value with an
/// <see cref="NngpInputException"/> that names the option.
/// </summary>
public record KernelOptions
{
    /// <summary>The options every call takes when it is given none.</summary>
    public static KernelOptions Default { get; } = new();

    /// <summary>The NNGP kernel K (the default) or the neural tangent kernel Θ.</summary>
    public KernelKind Kind { get; init; } = KernelKind.Nngp;

    /// <summary>
    /// The quadrature for activations without a closed form: 0 (the default) is the accurate graded
    /// Gauss–Legendre rule; 1 … 300 a Gauss–Hermite product rule of that order, cheaper and accurate
    /// only at small pre-activation variances (docs/mathematics.md).
    /// </summary>
    public int QuadratureOrder { get; init; } = QuadratureRules.DefaultOrder;

    /// <summary>Whether the map may use lookup tables for activations without a closed form (<see cref="LookupTableMode"/>).</summary>
    public LookupTableMode Lookup { get; init; } = LookupTableMode.Auto;

    /// <summary>Told as each stage starts and, for the long ones (the layer map, the factorisation, the test kernel), as it advances.</summary>
    public IProgress<StageProgress>? Progress { get; init; }

    /// <summary>
    /// The most memory, in bytes, the call may plan for where it computes (host RAM on the CPU, device
    /// memory on a GPU), below what is available; null (the default) = all that is available. A call
    /// that needs more is refused before any work, and predictions take smaller test tiles.
    /// </summary>
    public long? MaxMemoryBytes { get; init; }

    /// <summary>
    /// The most threads the engine's own parallel loops on the CPU (the layer map) use; null (the
    /// default) = one per core. BLAS/LAPACK keep their own setting (OPENBLAS_NUM_THREADS).
    /// </summary>
    public int? MaxThreads { get; init; }

    /// <summary>
    /// The precision of a convolutional network's spatial kernel on the CPU: FP64 (the default) or
    /// FP32 for the pairs' slice values, about twice as fast, its measured error in docs/benchmarks.md
    /// (<see cref="KernelPrecision.Single"/>: what stays FP64). Dense networks ignore it (their fused
    /// map is FP64), as does the GPU's device kernel.
    /// </summary>
    public KernelPrecision Precision { get; init; } = KernelPrecision.Double;

    /// <summary>The name an error gives these options: the record's type name.</summary>
    private protected virtual string OptionsName => nameof(KernelOptions);

    /// <summary>Throws an <see cref="NngpInputException"/> naming the first option whose value is not allowed.</summary>
    internal virtual void Validate()
    {
        if (!Enum.IsDefined(Kind))
        {
            throw Invalid(nameof(Kind), $"is not a KernelKind ({(int)Kind})");
        }

        if (!Enum.IsDefined(Precision))
        {
            throw Invalid(nameof(Precision), $"is not a KernelPrecision ({(int)Precision})");
        }

        if (!Enum.IsDefined(Lookup))
        {
            throw Invalid(nameof(Lookup), $"is not a LookupTableMode ({(int)Lookup})");
        }

        try
        {
            QuadratureRules.Get(QuadratureOrder);
        }
        catch (NngpInputException e)
        {
            throw new NngpInputException($"{OptionsName}.{nameof(QuadratureOrder)}: {e.Message}", Parameter(nameof(QuadratureOrder)));
        }

        if (MaxMemoryBytes is <= 0)
        {
            throw Invalid(nameof(MaxMemoryBytes), $"must be > 0 (null for all that is available), got {MaxMemoryBytes}");
        }

        if (MaxThreads is <= 0)
        {
            throw Invalid(nameof(MaxThreads), $"must be ≥ 1 (null for one per core), got {MaxThreads}");
        }
    }

    /// <summary>A one-line refusal of <paramref name="option"/>: "FitOptions.Noise must be …", about the parameter "noise".</summary>
    private protected NngpInputException Invalid(string option, string problem) =>
        new($"{OptionsName}.{option} {problem}", Parameter(option));

    /// <summary>The option's name as a parameter (camel case: "noise"), which the command line maps to its flag.</summary>
    private protected static string Parameter(string option) => char.ToLowerInvariant(option[0]) + option[1..];

    /// <summary>The available bytes capped by <see cref="MaxMemoryBytes"/> (null stays unknown unless capped).</summary>
    internal long? Cap(long? available) =>
        MaxMemoryBytes is { } cap ? Math.Min(cap, available ?? long.MaxValue) : available;

    /// <summary>Loop options of the engine's host loops: <see cref="MaxThreads"/> and the call's token.</summary>
    internal ParallelOptions Parallelism(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = MaxThreads ?? -1, CancellationToken = cancellationToken };
}
