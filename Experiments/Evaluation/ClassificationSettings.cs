using GpuNngp.Data;

namespace GpuNngp.Experiments.Evaluation;

/// <summary>One classification experiment as the paper runs it: data, architecture, noise, device.</summary>
public sealed record ClassificationSettings
{
    public string Dataset { get; init; } = "mnist10k";

    /// <summary>How the data set is split; null for its default (<see cref="DataSplit.DefaultSplit"/>).</summary>
    public SplitProtocol? Split { get; init; }

    public int TrainSize { get; init; } = 1000;

    public int TestSize { get; init; } = 2000;

    /// <summary>
    /// The whole network (dense, or convolutional: then it is put on the data set's image shape);
    /// null for the paper's fully connected GP-<see cref="Depth"/>-σw²-σb² of <see cref="Activation"/>,
    /// which <see cref="Depth"/>, <see cref="Activation"/>, <see cref="WeightVariance"/> and
    /// <see cref="BiasVariance"/> describe only then.
    /// </summary>
    public Network? Network { get; init; }

    public int Depth { get; init; } = 20;

    public string Activation { get; init; } = "relu";

    public double WeightVariance { get; init; } = 1.45;

    public double BiasVariance { get; init; } = 0.28;

    public double Noise { get; init; } = 1e-10;

    public KernelKind Kind { get; init; } = KernelKind.Nngp;

    public DeviceKind Device { get; init; } = DeviceKind.Auto;

    /// <summary>Equal-count bins of the uncertainty calibration (<see cref="Calibration"/>).</summary>
    public int CalibrationBins { get; init; } = Calibration.DefaultBins;

    /// <summary>Whether the CPU map may use lookup tables for activations without a closed form.</summary>
    public LookupTableMode Lookup { get; init; } = LookupTableMode.Auto;

    /// <summary>The convolutional kernel's precision on the CPU (<see cref="KernelOptions.Precision"/>).</summary>
    public KernelPrecision Precision { get; init; } = KernelPrecision.Double;

    /// <summary>The fit's solver: the dense Cholesky factorisation, or PCG (<see cref="Pcg"/>), which predicts the mean alone here.</summary>
    public SolverKind Solver { get; init; } = SolverKind.Cholesky;

    /// <summary>How PCG iterates; read only with <see cref="Solver"/> = <see cref="SolverKind.Pcg"/>.</summary>
    public PcgOptions Pcg { get; init; } = PcgOptions.Default;
}
