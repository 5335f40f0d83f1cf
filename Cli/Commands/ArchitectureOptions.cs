using System.CommandLine;
using GpuNngp.Engine.Architecture;

namespace GpuNngp.Cli.Commands;

/// <summary>The options every command that builds a network shares, with the paper's defaults.</summary>
internal sealed class ArchitectureOptions
{
    public Option<int> Depth { get; } = new("--depth") { Description = "hidden layers L (0 = Bayesian linear regression)", DefaultValueFactory = _ => 3 };

    public Option<string> Activation { get; } = new("--activation") { Description = $"one of: {string.Join(", ", Nngp.ActivationNames)}", DefaultValueFactory = _ => "relu" };

    public Option<double> WeightVariance { get; } = new("--weight-var") { Description = "σw², the weight variance of every dense layer", DefaultValueFactory = _ => 1.45 };

    public Option<double> BiasVariance { get; } = new("--bias-var") { Description = "σb², the bias variance of every dense layer", DefaultValueFactory = _ => 0.28 };

    public Option<string?> Net { get; } = CreateNet("instead of --depth/--activation/--weight-var/--bias-var");

    /// <summary>--net, with what it stands in for on the command that takes it.</summary>
    public static Option<string?> CreateNet(string insteadOf) => new("--net")
    {
        Description = $"the whole network as layers, e.g. \"(conv:3x3:same:1.6:0.1,relu)*2,flatten,dense:1.6:0.1\" (README: network descriptions); {insteadOf}",
    };

    public Option<DeviceKind> Device { get; } = new("--device") { Description = "auto (GPU if usable, else CPU), cpu or gpu", DefaultValueFactory = _ => DeviceKind.Auto };

    /// <summary>--precision of kernel, predict and evaluate (not in <see cref="AddTo"/>: the commands without a spatial kernel do not take it).</summary>
    public Option<KernelPrecision> Precision { get; } = CreatePrecision();

    /// <summary>--precision fp64|fp32: <see cref="KernelOptions.Precision"/>.</summary>
    public static Option<KernelPrecision> CreatePrecision() => new("--precision")
    {
        Description = "fp64 (default) or fp32: the precision of a convolutional network's kernel on the CPU (fp32 faster, its error stated in docs/benchmarks.md); dense networks and the GPU stay fp64",
        DefaultValueFactory = _ => KernelPrecision.Double,
        CustomParser = result =>
        {
            string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(' ', result.Tokens.Select(t => t.Value));
            switch (text.ToLowerInvariant())
            {
                case "fp64":
                    return KernelPrecision.Double;
                case "fp32":
                    return KernelPrecision.Single;
                default:
                    result.AddError($"--precision: '{text}' is not fp64 or fp32");
                    return default;
            }
        },
    };

    public Option<bool> Distributed { get; } = new("--distributed") { Description = "every rank of the MPI job this runs in (mpirun -np P nngp ... --distributed): the kernel block-cyclic over the ranks, ScaLAPACK's solves (with --device gpu: one GPU per rank, cuSOLVERMp's)" };

    /// <summary>
    /// --device, or the distributed provider where --distributed is given: CPU ranks, or GPU ranks with
    /// --device gpu (<see cref="DistributedJob.For"/> has set their variable before MPI started);
    /// refused beside --device auto.
    /// </summary>
    public DeviceKind DeviceOf(ParseResult parsed)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        DeviceKind device = parsed.GetValue(Device);
        if (!parsed.GetValue(Distributed))
        {
            return device;
        }

        return parsed.GetResult(Device) is { Implicit: false } && device == DeviceKind.Auto
            ? throw new NngpInputException("--distributed runs on CPU ranks, or on GPU ranks with --device gpu: drop --device auto")
            : DeviceKind.Distributed;
    }

    public void AddTo(Command command)
    {
        command.Add(Net);
        command.Add(Depth);
        command.Add(Activation);
        command.Add(WeightVariance);
        command.Add(BiasVariance);
        command.Add(Device);
        command.Add(Distributed);
    }

    public Network Network(ParseResult parsed)
    {
        if (parsed.GetValue(Net) is not { } spec)
        {
            return Nngp.FullyConnected(
                parsed.GetValue(Depth),
                Nngp.ActivationByName(parsed.GetValue(Activation) ?? "relu"),
                parsed.GetValue(WeightVariance),
                parsed.GetValue(BiasVariance));
        }

        RefuseBesideNet(parsed, Depth, Activation, WeightVariance, BiasVariance);
        return ParseNet(spec);
    }

    /// <summary>Refuses the <paramref name="options"/> given explicitly beside --net, which describes what they would.</summary>
    public static void RefuseBesideNet(ParseResult parsed, params Option[] options)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        string[] given = [.. options
            .Where(option => parsed.GetResult(option) is { Implicit: false })
            .Select(option => option.Name)];
        if (given.Length > 0)
        {
            throw new NngpInputException($"--net describes the whole network: drop {string.Join(", ", given)}, or drop --net");
        }
    }

    /// <summary>
    /// The network of a --net description, checked as far as it can be before any input is read (a
    /// convolutional network's shapes are checked against its images); errors begin "--net: ".
    /// </summary>
    public static Network ParseNet(string spec)
    {
        try
        {
            Network network = NetworkSpec.Parse(spec);
            network.Validate();
            return network;
        }
        catch (NngpInputException e)
        {
            throw new NngpInputException($"--net: {e.Message}");
        }
    }
}
