using GpuNngp.Solvers;

namespace GpuNngp.Cli.Output;

/// <summary>
/// The one place a library error becomes the command line's <c>error: ...</c> line. The library
/// words its messages in API names (the noise parameter, DeviceKind.Cpu, SearchSettings.Resume);
/// here they become the flags a user of <c>nngp</c> types, and an error about one parameter that
/// does not yet mention its flag names it at the end.
/// </summary>
internal static class ErrorMessages
{
    /// <summary>An API parameter, the flag that sets it, and the API phrases in messages that mean that flag.</summary>
    private sealed record ParameterFlag(string Parameter, string Flag, params (string Api, string Cli)[] Phrases);

    private static readonly ParameterFlag[] Flags =
    [
        new("noise", "--noise", ("the noise parameter", "--noise"), ("FitOptions.Noise", "--noise")),
        new("device", "--device", ("device = DeviceKind.Gpu", "--device gpu"), ("DeviceKind.Gpu", "--device gpu"), ("DeviceKind.Cpu", "--device cpu"), ("DeviceKind.Auto", "--device auto"),
            ("device = DeviceKind.Distributed with GPUNNGP_DISTRIBUTED_RANKS=gpu", "--distributed --device gpu"), ("device = DeviceKind.Distributed", "--distributed"), ("DeviceKind.Distributed", "--distributed")),
        new("split", "--split", ("SplitProtocol.First", "--split first"), ("SplitProtocol.Paper", "--split paper")),
        new("resume", "--resume", ("SearchSettings.Resume", "--resume")),
        new("trainSize", "--train-size"),
        new("testSize", "--test-size"),
        new("validationSize", "--validation-size"),
        new("dataset", "--dataset"),
        new("calibrationBins", "--calibration-bins"),
        new("learningRate", "--learning-rate", ("DynamicsOptions.LearningRate", "--learning-rate")),
        new("diagReg", "--diag-reg", ("DynamicsOptions.DiagReg", "--diag-reg")),
        new("times", "--gd-time"),
        new("score", "--score", ("SearchScore.LogMarginalLikelihood", "--score lml"), ("SearchSettings.TrainInputs", "--train-x"), ("SearchSettings.TrainTargets", "--train-y"), ("SearchSettings.Dataset", "--dataset")),
        new("optimize", "--optimize", ("SearchSettings.Optimize", "--optimize"), ("SearchSettings.Activation", "--activation"), ("SearchSettings.Network", "--net"),
            ("KernelKind.Ntk", "--ntk"), ("SearchGrid.WeightVariances", "--weight-vars"), ("SearchGrid.Noises", "--noises")),
    ];

    /// <summary>Whether <paramref name="e"/> is a failure the command line reports in one line with exit code 2.</summary>
    public static bool IsReported(Exception e) => e is NngpException or CudaException;

    /// <summary>The <c>error: ...</c> line for <paramref name="e"/>, in the command line's flags.</summary>
    public static string Line(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        string message = e.Message;
        foreach (var flag in Flags)
        {
            foreach (var (api, cli) in flag.Phrases)
            {
                message = message.Replace(api, cli, StringComparison.Ordinal);
            }
        }

        string? parameter = (e as NngpException)?.Parameter;
        var named = Flags.FirstOrDefault(f => f.Parameter == parameter);
        if (named is not null && !message.Contains(named.Flag, StringComparison.Ordinal))
        {
            message += $" ({named.Flag})";
        }

        return $"error: {message}";
    }
}
