using System.CommandLine;
using GpuNngp.Cli.Commands;
using GpuNngp.Cli.Output;
using Spectre.Console;

namespace GpuNngp.Cli;

/// <summary>
/// The `nngp` command: its subcommands, and the one place errors become exit codes. Bad input, a
/// numerical failure and a device failure are one line on standard error (<see cref="ErrorMessages"/>)
/// and exit code 2; an internal failure is one line and exit code 70; a command interrupted by Ctrl+C
/// one line and exit code 130; none
/// prints a stack trace (set NNGP_DEBUG=1 to see one).
/// </summary>
public static class NngpCommandLine
{
    public const int InputError = 2;
    public const int InternalError = 70;

    /// <summary>The exit code of a command cancelled by Ctrl+C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    public static int Run(string[] args, IAnsiConsole console, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(error);
        var job = DistributedJob.For(args, ref console, ref error);
        var root = new RootCommand("GpuNngp: exact Bayesian inference with the neural network Gaussian process (NNGP), on an NVIDIA GPU or the CPU.")
        {
            DemoCommand.Create(console),
            EvaluateCommand.Create(console),
            KernelCommand.Create(console),
            PredictCommand.Create(console),
            DynamicsCommand.Create(console),
            PhaseCommand.Create(console),
            LookupCommand.Create(console),
            SearchCommand.Create(console),
        };

        StrictNumberOptions.ApplyTo(root);
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            error.WriteLine($"error: {parsed.Errors[0].Message} (see 'nngp {parsed.CommandResult.Command.Name} --help')");
            return InputError;
        }

        try
        {
            if (job is null)
            {
                return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = console.Profile.Out.Writer, Error = error });
            }

            return RunRank(parsed, console, error);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C (SIGINT) or SIGTERM cancelled the command's token: the engine stopped within a
            // block step and no output was written (every file is written after the work, atomically).
            error.WriteLine("error: interrupted; nothing was written");
            return Interrupted;
        }
        catch (Exception e) when (ErrorMessages.IsReported(e))
        {
            error.WriteLine(ErrorMessages.Line(e));
            return InputError;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("NNGP_DEBUG") != "1")
        {
            error.WriteLine($"internal error: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            return InternalError;
        }
    }

    /// <summary>One rank of a distributed run: MPI first, the command, then every rank's outcome agreed (<see cref="DistributedJob"/>).</summary>
    private static int RunRank(ParseResult parsed, IAnsiConsole console, TextWriter error)
    {
        int code;
        try
        {
            DistributedJob.Start();
            code = parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = console.Profile.Out.Writer, Error = error });
        }
        catch (Exception e) when (Engine.Distributed.MpiSession.Current is not null && !Engine.Distributed.MpiSession.IsAgreed(e))
        {
            DistributedJob.Agree(e);
            throw;
        }

        DistributedJob.Agree(null);
        return code;
    }
}
