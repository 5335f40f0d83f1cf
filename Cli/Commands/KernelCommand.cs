using System.CommandLine;
using GpuNngp.Cli.Output;
using GpuNngp.Data;
using MathNet.Numerics.LinearAlgebra;
using Spectre.Console;

namespace GpuNngp.Cli.Commands;

/// <summary>`nngp kernel`: K(X1, X2) (or K(X1, X1)) of the architecture, inputs used exactly as given.</summary>
internal static class KernelCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var architecture = new ArchitectureOptions();
        var x1 = new Option<FileInfo>("--x1") { Description = "first inputs (rows = points), .npy or .csv", Required = true };
        var x2 = new Option<FileInfo?>("--x2") { Description = "second inputs; K(X1, X1) when absent" };
        var ntk = new Option<bool>("--ntk") { Description = "the neural tangent kernel instead of the NNGP" };
        var output = new Option<FileInfo>("--out") { Description = "where to write K, .npy or .csv", Required = true };
        var monteCarlo = new Option<string?>("--monte-carlo")
        {
            Description = "W,S: instead of the infinite-width kernel, its Monte Carlo estimate from S finite networks of width W (W units per Dense layer, W channels per Conv; any network, on the engine's device)",
        };
        var seed = new Option<string?>("--seed") { Description = "the seed of the Monte Carlo draws (an integer; default 0); needs --monte-carlo" };
        var command = new Command("kernel", "Compute the NNGP (or NTK) kernel matrix between input sets.")
        {
            x1, x2, ntk, output, monteCarlo, seed,
        };
        architecture.AddTo(command);
        command.Add(architecture.Precision);
        command.SetAction((parsed, cancellationToken) =>
        {
            MonteCarloOptions? sampling = MonteCarlo(parsed.GetValue(monteCarlo), parsed.GetValue(seed));
            var network = architecture.Network(parsed);
            string outPath = parsed.GetValue(output)!.FullName;
            MatrixFile.CheckWritableExtension(outPath);
            (network, var sets) = NetworkInputs.Read(network, ("--x1", parsed.GetValue(x1)!.FullName), ("--x2", parsed.GetValue(x2)?.FullName));
            Matrix<double> a = sets[0]!; // --x1 is required
            Matrix<double>? b = sets[1];
            int columns = (b ?? a).RowCount;
            bool csv = outPath.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
            if (csv && (long)a.RowCount * columns > Array.MaxLength)
            {
                // Refused before the work, not after it: a .csv is written through one managed matrix.
                throw new NngpInputException($"--out: a {a.RowCount:N0}×{columns:N0} kernel is too large for .csv; write it as .npy");
            }

            // A .csv value takes up to ~25 characters (G17, a separator); .npy exactly 8 bytes.
            long outBytes = csv ? 25L * a.RowCount * columns : OutputFiles.MatrixBytes(a.RowCount, columns);
            new OutputFiles().Input("--x1", parsed.GetValue(x1)!.FullName).Input("--x2", parsed.GetValue(x2)?.FullName)
                .Output("--out", outPath, outBytes).Check();
            using var engine = NngpEngine.Create(architecture.DeviceOf(parsed));
            console.WriteLine(engine.DeviceChoice);
            KernelKind kind = parsed.GetValue(ntk) ? KernelKind.Ntk : KernelKind.Nngp;
            if (sampling is not null)
            {
                Matrix<double> estimate = ProgressDisplay.Run(console, progress =>
                    engine.MonteCarloKernel(network, a, b, sampling with { Kind = kind, Progress = progress }, cancellationToken));
                MatrixFile.Write(outPath, estimate);
                console.WriteLine($"{estimate.RowCount}×{estimate.ColumnCount} Monte Carlo kernel (width {sampling.Width}, {sampling.Samples} draws, seed {sampling.Seed}) written to {outPath}");
                return Task.FromResult(0);
            }

            using var kernel = ProgressDisplay.Run(console, progress =>
                engine.HostKernel(network, a, b, new KernelOptions { Kind = kind, Progress = progress, Precision = parsed.GetValue(architecture.Precision) }, cancellationToken));
            MatrixFile.Write(outPath, kernel);
            console.WriteLine($"{kernel.RowCount}×{kernel.ColumnCount} kernel written to {outPath}");
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>The Monte Carlo options of "--monte-carlo W,S" and "--seed K", or null for the analytic kernel.</summary>
    private static MonteCarloOptions? MonteCarlo(string? widthAndSamples, string? seedText)
    {
        int seed = 0;
        if (seedText is not null && !StrictNumber.TryParseInt(seedText, out seed))
        {
            throw new NngpInputException($"--seed: '{seedText}' is not a whole number (digits only, within ±2,147,483,647)");
        }

        if (widthAndSamples is null)
        {
            return seedText is null ? null : throw new NngpInputException("--seed: needs --monte-carlo W,S (the analytic kernel draws nothing)");
        }

        string[] parts = widthAndSamples.Split(',');
        if (parts.Length != 2 || !StrictNumber.TryParseInt(parts[0], out int width) || !StrictNumber.TryParseInt(parts[1], out int samples))
        {
            throw new NngpInputException($"--monte-carlo: '{widthAndSamples}' is not W,S (two whole numbers, e.g. 512,16)");
        }

        if (width < 1 || samples < 1)
        {
            throw new NngpInputException($"--monte-carlo: the width and the number of draws must be ≥ 1, got {width},{samples}");
        }

        return new MonteCarloOptions { Width = width, Samples = samples, Seed = seed };
    }
}
