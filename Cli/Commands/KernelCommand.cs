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
        var command = new Command("kernel", "Compute the NNGP (or NTK) kernel matrix between input sets.")
        {
            x1, x2, ntk, output,
        };
        architecture.AddTo(command);
        command.SetAction((parsed, cancellationToken) =>
        {
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
            using var engine = NngpEngine.Create(parsed.GetValue(architecture.Device));
            console.WriteLine(engine.DeviceChoice);
            using var kernel = ProgressDisplay.Run(console, progress =>
                engine.HostKernel(network, a, b, new KernelOptions { Kind = parsed.GetValue(ntk) ? KernelKind.Ntk : KernelKind.Nngp, Progress = progress }, cancellationToken));
            MatrixFile.Write(outPath, kernel);
            console.WriteLine($"{kernel.RowCount}×{kernel.ColumnCount} kernel written to {outPath}");
            return Task.FromResult(0);
        });
        return command;
    }
}
