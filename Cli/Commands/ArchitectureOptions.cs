using System.CommandLine;

namespace GpuNngp.Cli.Commands;

/// <summary>The options every command that builds a network shares, with the paper's defaults.</summary>
internal sealed class ArchitectureOptions
{
    public Option<int> Depth { get; } = new("--depth") { Description = "hidden layers L (0 = Bayesian linear regression)", DefaultValueFactory = _ => 3 };

    public Option<string> Activation { get; } = new("--activation") { Description = $"one of: {string.Join(", ", Nngp.ActivationNames)}", DefaultValueFactory = _ => "relu" };

    public Option<double> WeightVariance { get; } = new("--weight-var") { Description = "σw², the weight variance of every dense layer", DefaultValueFactory = _ => 1.45 };

    public Option<double> BiasVariance { get; } = new("--bias-var") { Description = "σb², the bias variance of every dense layer", DefaultValueFactory = _ => 0.28 };

    public Option<DeviceKind> Device { get; } = new("--device") { Description = "auto (GPU if usable, else CPU), cpu or gpu", DefaultValueFactory = _ => DeviceKind.Auto };

    public void AddTo(Command command)
    {
        command.Add(Depth);
        command.Add(Activation);
        command.Add(WeightVariance);
        command.Add(BiasVariance);
        command.Add(Device);
    }

    public Network Network(ParseResult parsed) => Nngp.FullyConnected(
        parsed.GetValue(Depth),
        Nngp.ActivationByName(parsed.GetValue(Activation) ?? "relu"),
        parsed.GetValue(WeightVariance),
        parsed.GetValue(BiasVariance));
}
