using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using GpuNngp.Engine.Computation;
using GpuNngp.Kernels;
using GpuNngp.Kernels.Lookup;
using Spectre.Console;

namespace GpuNngp.Cli.Commands;

/// <summary>
/// `nngp lookup`: builds the dual-kernel lookup table of an activation at given variances and
/// measures it against direct quadrature: cells, error, build time and speed per entry.
/// </summary>
internal static class LookupCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var activation = new Option<string>("--activation") { Description = "an activation without a closed form: tanh, softplus, sigmoid or swish", DefaultValueFactory = _ => "tanh" };
        var variances = new Option<string>("--variances") { Description = "comma-separated pre-activation variances q to tabulate at", DefaultValueFactory = _ => "0.1,1,10,100" };
        var samples = new Option<int>("--samples") { Description = "random correlations to check each table at (half uniform in c, half in arccos c)", DefaultValueFactory = _ => 4000 };
        var order = new Option<int>("--quadrature-order") { Description = "0: the accurate graded Gauss–Legendre rule (default); 1–300: Gauss–Hermite nodes per dimension (opt-in, inaccurate at large variances); for the table and the direct path alike", DefaultValueFactory = _ => QuadratureRules.DefaultOrder };
        var command = new Command("lookup", "Measure the dual-kernel lookup table against direct quadrature: error, size, build time and speed-up.")
        {
            activation, variances, samples, order,
        };
        command.SetAction(parsed =>
        {
            var layer = Nngp.ActivationByName(parsed.GetValue(activation) ?? "tanh");
            if (layer.Activation.HasClosedForm)
            {
                throw new NngpInputException($"{layer.Name} has a closed form: the engine never tabulates it");
            }

            int count = parsed.GetValue(samples);
            if (count < 2)
            {
                throw new NngpInputException($"--samples must be at least 2, got {count}");
            }

            double[] qs = ParseList(parsed.GetValue(variances) ?? "");
            var rule = QuadratureRules.Get(parsed.GetValue(order));
            var c = CultureInfo.InvariantCulture;
            var table = new Table().Border(TableBorder.Rounded);
            foreach (string heading in new[] { "q", "cells", "build s", "max err F", "max err Ḟ", "table ns/entry", "quadrature µs/entry", "speed-up" })
            {
                table.AddColumn(new TableColumn(heading).RightAligned());
            }

            foreach (double q in qs)
            {
                // One hidden layer whose pre-activation variance is q for an input of variance 1.
                var network = new HostNetworkView(
                    new DenseVariances(q, 0), [new HiddenLayer(layer.Activation, new DenseVariances(1, 0))], rule);
                var tables = KernelLookupTable.Build(network, 1.0);
                var report = tables.Reports[0];
                if (!report.Tabulated)
                {
                    table.AddRow(q.ToString("G4", c), "—", tables.BuildSeconds.ToString("F2", c), Markup.Escape(report.Note ?? ""), "", "", "", "");
                    continue;
                }

                var (valueError, derivativeError) = LookupTableAccuracy.Measure(network, tables, 0, count);
                var (tableNs, quadratureNs) = Speed(network, tables, q, count);
                table.AddRow(
                    q.ToString("G4", c),
                    report.Cells.ToString(c),
                    tables.BuildSeconds.ToString("F2", c),
                    valueError.ToString("E1", c),
                    derivativeError.ToString("E1", c),
                    tableNs.ToString("F0", c),
                    (quadratureNs / 1000).ToString("F1", c),
                    (quadratureNs / tableNs).ToString("N0", c));
            }

            console.WriteLine($"activation: {layer.Name}; quadrature: {rule}; errors relative to F(c = 1) and Ḟ(c = 1); one thread");
            console.Write(table);
            return 0;
        });
        return command;
    }

    /// <summary>Nanoseconds per entry (F and Ḟ) through the table and by direct quadrature, one thread.</summary>
    private static (double Table, double Quadrature) Speed(HostNetworkView network, KernelLookupTable tables, double q, int count)
    {
        var view = tables.View;
        var meta = tables.Layers[0];
        var random = new Random(7);
        double[] k12 = Enumerable.Range(0, count).Select(_ => q * (2 * random.NextDouble() - 1)).ToArray();
        double sink = 0;
        int repeats = Math.Max(1, 2_000_000 / count);
        long start = Stopwatch.GetTimestamp();
        for (int r = 0; r < repeats; r++)
        {
            foreach (double k in k12)
            {
                sink += KernelTableMath.Evaluate(in view, meta, k, q, q, true).F;
            }
        }

        double tableNs = Stopwatch.GetElapsedTime(start).TotalNanoseconds / (repeats * (double)count);
        int direct = Math.Min(count, 100);
        start = Stopwatch.GetTimestamp();
        for (int i = 0; i < direct; i++)
        {
            sink += DualQuadrature.Evaluate(in network, 0, k12[i], q, q, true).F;
        }

        double quadratureNs = Stopwatch.GetElapsedTime(start).TotalNanoseconds / direct;
        GC.KeepAlive(sink);
        return (tableNs, quadratureNs);
    }

    private static double[] ParseList(string text)
    {
        var values = new List<double>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !(v > 0) || !double.IsFinite(v))
            {
                throw new NngpInputException($"--variances: '{part}' is not a positive number");
            }

            values.Add(v);
        }

        if (values.Count == 0)
        {
            throw new NngpInputException("--variances: give at least one variance");
        }

        return values.ToArray();
    }
}
