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
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (arg == "--distributed"
                || arg.Equals("--device=distributed", StringComparison.OrdinalIgnoreCase)
                || (arg == "--device" && i + 1 < args.Length && args[i + 1].Equals("distributed", StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

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

        if (MpiSession.LauncherRank is > 0)
        {
            console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null), Interactive = InteractionSupport.No });
            error = TextWriter.Null;
            AtomicFile.DiscardWrites = true;
        }

        return new DistributedJob();
    }

    /// <summary>Starts MPI (every rank, before the command's work); outside a launcher, the engine's one-line refusal.</summary>
    public static void Start() => MpiSession.Start();

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
