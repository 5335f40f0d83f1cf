using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace GpuNngp.Cli.Commands;

/// <summary>
/// --solver cholesky|pcg and the PCG flags (--tolerance, --preconditioner-rank, --kernel-storage) that
/// `evaluate` and `predict` share; PCG prints its iterations with their residual as it goes.
/// </summary>
internal sealed class SolverOptions
{
    /// <summary>Seconds between two printed iterations (the first and the last of each solve always print).</summary>
    private const double PrintInterval = 2;

    public Option<string> Solver { get; } = new("--solver") { Description = "cholesky: the dense factorisation (N² FP64 memory); pcg: preconditioned conjugate gradients (fully connected networks; needs --noise > 0)", DefaultValueFactory = _ => "cholesky" };

    public Option<double> Tolerance { get; } = new("--tolerance") { Description = "with --solver pcg: the relative residual ‖y − Aα‖/‖y‖ to reach, in (0, 1)", DefaultValueFactory = _ => PcgOptions.Default.Tolerance };

    public Option<int> PreconditionerRank { get; } = new("--preconditioner-rank") { Description = "with --solver pcg: rank k of the pivoted-Cholesky preconditioner (0: none)", DefaultValueFactory = _ => PcgOptions.Default.PreconditionerRank };

    /// <summary>--probes: <see cref="PcgOptions.Probes"/>.</summary>
    public Option<int> Probes { get; } = new("--probes") { Description = "with --solver pcg: Rademacher probes of the log-likelihood's stochastic Lanczos quadrature (each one more right-hand side per product; its standard error is reported)", DefaultValueFactory = _ => PcgOptions.Default.Probes };

    public Option<string> KernelStorage { get; } = new("--kernel-storage") { Description = "with --solver pcg: fp32 (store K in FP32, 4·N² bytes of RAM; products in FP64) or recompute (every product rebuilds K tile by tile)", DefaultValueFactory = _ => "fp32" };

    public void AddTo(Command command)
    {
        command.Add(Solver);
        command.Add(Tolerance);
        command.Add(PreconditionerRank);
        command.Add(KernelStorage);
        command.Add(Probes);
    }

    /// <summary>The fit's solver options; the PCG flags without --solver pcg, or out of range, are refused in one line.</summary>
    public (SolverKind Solver, PcgOptions Pcg) Read(ParseResult parsed, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        SolverKind solver = Named(parsed.GetValue(Solver), "--solver", ("cholesky", SolverKind.Cholesky), ("pcg", SolverKind.Pcg));
        Option[] pcgFlags = [Tolerance, PreconditionerRank, KernelStorage, Probes];
        if (solver != SolverKind.Pcg)
        {
            string[] given = [.. pcgFlags.Where(option => parsed.GetResult(option) is { Implicit: false }).Select(option => option.Name)];
            if (given.Length > 0)
            {
                throw new NngpInputException($"{string.Join(", ", given)} {(given.Length == 1 ? "applies" : "apply")} only with --solver pcg");
            }

            return (solver, PcgOptions.Default);
        }

        double tolerance = parsed.GetValue(Tolerance);
        if (!(tolerance > 0 && tolerance < 1))
        {
            throw new NngpInputException(string.Create(CultureInfo.InvariantCulture, $"--tolerance must be in (0, 1), got {tolerance}"));
        }

        int rank = parsed.GetValue(PreconditionerRank);
        if (rank < 0)
        {
            throw new NngpInputException($"--preconditioner-rank must be ≥ 0, got {rank}");
        }

        int probes = parsed.GetValue(Probes);
        if (probes < 1)
        {
            throw new NngpInputException($"--probes must be ≥ 1, got {probes}");
        }

        return (solver, new PcgOptions { Tolerance = tolerance, PreconditionerRank = rank, Probes = probes, KernelStorage = Named(parsed.GetValue(KernelStorage), "--kernel-storage", ("fp32", GpuNngp.KernelStorage.Fp32), ("recompute", GpuNngp.KernelStorage.Recompute)), IterationProgress = new IterationLines(console) });
    }

    /// <summary>The value named <paramref name="text"/> (any case), or a one-line refusal listing the names.</summary>
    private static T Named<T>(string? text, string flag, params (string Name, T Value)[] names)
    {
        foreach (var (name, value) in names)
        {
            if (string.Equals(text, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        throw new NngpInputException($"{flag} must be {string.Join(" or ", names.Select(n => n.Name))}, got '{text}'");
    }

    /// <summary>Refuses, before any work, the outputs a PCG posterior cannot give (no factorisation: no covariance, nothing to save).</summary>
    public void RefuseBesidePcg(ParseResult parsed, params (string Flag, string? Value)[] outputs)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        ArgumentNullException.ThrowIfNull(outputs);
        if (string.Equals(parsed.GetValue(Solver), "pcg", StringComparison.OrdinalIgnoreCase) && outputs.FirstOrDefault(o => o.Value is not null) is { Flag: { } flag })
        {
            throw new NngpInputException($"{flag} needs the dense factorisation: drop it, or drop --solver pcg");
        }
    }

    /// <summary>"pcg mean: iteration 12, relative residual 3.1e-05 (10 right-hand sides iterating)", at most every few seconds.</summary>
    private sealed class IterationLines(IAnsiConsole console) : IProgress<PcgIteration>
    {
        private long _last;
        private string _system = "";

        public void Report(PcgIteration value)
        {
            bool first = value.System != _system || value.Iteration == 1, last = value.Unconverged == 0;
            if (!first && !last && Stopwatch.GetElapsedTime(_last).TotalSeconds < PrintInterval)
            {
                return;
            }

            _system = value.System;
            _last = Stopwatch.GetTimestamp();
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pcg {value.System}: iteration {value.Iteration}, relative residual {value.RelativeResidual:G3} ({value.Unconverged} right-hand side{(value.Unconverged == 1 ? "" : "s")} iterating)"));
        }
    }
}
