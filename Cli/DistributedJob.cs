using GpuNngp.Data;
using GpuNngp.Engine.Distributed;
using Spectre.Console;

namespace GpuNngp.Cli;

/// <summary>
/// A command run as one rank of an MPI job (<c>mpirun -np P nngp ... --distributed</c>): MPI starts
/// before the command reads anything, so that a rank failing on its own (its input file, say) meets
/// the others at their next collective; ranks other than 0 print nothing and write their files to
/// nowhere; at the end every rank agrees whether one failed, so that all exit with the same code
/// and rank 0 alone prints the one message of the lowest failing rank.
/// </summary>
internal sealed class DistributedJob
{
    private DistributedJob()
    {
    }

    /// <summary>Whether the arguments ask for the distributed provider (--distributed, or --device distributed).</summary>
    public static bool Requested(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return Enumerable.Range(0, args.Length).Any(i => args[i] == "--distributed" || DeviceIs(args, i, "distributed"));
    }

    /// <summary>Whether they also say --device gpu: GPU ranks (cuSOLVERMp, one GPU per rank).</summary>
    public static bool GpuRanksRequested(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return Requested(args) && Enumerable.Range(0, args.Length).Any(i => DeviceIs(args, i, "gpu"));
    }

    private static bool DeviceIs(string[] args, int i, string device) =>
        args[i].Equals($"--device={device}", StringComparison.OrdinalIgnoreCase)
        || (args[i] == "--device" && i + 1 < args.Length && args[i + 1].Equals(device, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The job when the arguments ask for one (null otherwise), with the console and error writer
    /// this rank uses: its own on rank 0 (and outside a launcher, where the engine's one-line
    /// refusal must show), nowhere on the others.
    /// </summary>
    public static DistributedJob? For(string[] args, ref IAnsiConsole console, ref TextWriter error)
    {
        if (!Requested(args))
        {
            return null;
        }

        // Before MPI starts: the engine reads the ranks' kind from the variable, and GPU ranks may start alone.
        if (GpuRanksRequested(args))
        {
            Environment.SetEnvironmentVariable(DistributedProvider.RanksVariable, "gpu");
        }

        if (MpiSession.LauncherRank is > 0)
        {
            console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null), Interactive = InteractionSupport.No });
            error = TextWriter.Null;
            AtomicFile.DiscardWrites = true;
        }

        return new DistributedJob();
    }

    /// <summary>
    /// Starts MPI (every rank, before the command's work); outside a launcher, the engine's one-line
    /// refusal, or for GPU ranks one rank in this process without MPI.
    /// </summary>
    public static void Start() => MpiSession.Start(aloneOutsideLauncher: DistributedProvider.GpuRanksAsked());

    /// <summary>
    /// Every rank's outcome agreed: returns where none failed, else throws the agreed failure (the
    /// lowest failing rank's) on every rank. <paramref name="failure"/> is this rank's own, or null.
    /// </summary>
    public static void Agree(Exception? failure)
    {
        if (MpiSession.Current is { } session)
        {
            session.Agree(failure);
        }
        else if (failure is not null)
        {
            throw failure;
        }
    }
}
