using System.Runtime.Intrinsics;
using System.Text.Json;
using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Spatial;
using GpuNngp.Perf;
using GpuNngp.Perf.Conv;
using Xunit;

namespace GpuNngp.Engine.Tests.Perf;

/// <summary>
/// The convolutional benchmark (<c>perf conv</c>): --quick in process, its report read as a reader
/// would (every case listed, entries and runs counted as the report states); the flop model against
/// counts done by hand. No timing is asserted.
/// </summary>
[Collection(nameof(PerfHarnessCollection))]
public sealed class ConvBenchmarkTests
{
    [Fact]
    public void Quick_ListsEveryCaseAndCountsAsStated()
    {
        using var directory = new TempDirectory();
        string json = Path.Combine(directory.Path, "conv.json"), markdownPath = Path.Combine(directory.Path, "conv.md");
        var output = new StringWriter();
        int exit = PerfProgram.Run(["conv", "--quick", "--json", json, "--markdown", markdownPath], output, output);
        TestContext.Current.TestOutputHelper?.WriteLine(output.ToString());
        Assert.True(exit == 0, output.ToString());

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var root = document.RootElement;
        Assert.Equal(ConvReport.SchemaName, root.GetProperty("schema").GetString());
        Assert.True(root.GetProperty("quick").GetBoolean());
        Assert.Equal("cpu", root.GetProperty("device").GetString());
        int repeats = root.GetProperty("repeats").GetInt32();
        int lanes = Vector512.IsHardwareAccelerated ? 16 : 8;
        string markdown = File.ReadAllText(markdownPath);

        var cases = root.GetProperty("cases").EnumerateArray().ToArray();
        Assert.Equal(ConvCases.All.Select(c => c.Name), cases.Select(c => c.GetProperty("name").GetString()));
        foreach (var (c, definition) in cases.Zip(ConvCases.All))
        {
            string name = definition.Name;
            Assert.Equal(JsonValueKind.Null, c.GetProperty("error").ValueKind);
            Assert.Contains($"| {name} |", markdown, StringComparison.Ordinal);

            // The rectangle is the quick size; its rows fill the CPU's bundles (the full size's too).
            int n = c.GetProperty("rows").GetInt32(), m = c.GetProperty("columns").GetInt32();
            Assert.Equal((definition.Quick.Rows, definition.Quick.Columns), (n, m));
            Assert.Equal(0, definition.Full.Rows % 16);
            Assert.Equal(0, definition.Quick.Rows % 16);
            Assert.Equal($"{definition.Quick.Height}×{definition.Quick.Width}×{definition.Channels}", c.GetProperty("input").GetString());

            long entries = c.GetProperty("entries").GetInt64();
            Assert.Equal((long)n * m, entries);
            Assert.Equal(n + m, c.GetProperty("own_runs").GetInt64());
            long rowBundles = (n + lanes - 1) / lanes;
            Assert.Equal((rowBundles * m) + rowBundles + ((m + lanes - 1) / lanes), c.GetProperty("cpu_bundles").GetInt64());

            var seconds = c.GetProperty("seconds").EnumerateArray().Select(s => s.GetDouble()).ToArray();
            Assert.Equal(repeats, seconds.Length);
            double median = c.GetProperty("median_seconds").GetDouble();
            Assert.Equal(Statistics.Median(seconds), median);
            Assert.True(median > 0, name);
            Assert.Equal(1000 * median / entries, c.GetProperty("ms_per_entry").GetDouble(), 12);
            Assert.Equal(entries / median, c.GetProperty("entries_per_second").GetDouble(), 6);
            // A point's own run computes half a global pooling's slices (slice −d is slice d transposed).
            double ownShare = c.GetProperty("readout").GetString() == "gap" ? 0.5 : 1;
            long ownBundles = c.GetProperty("cpu_bundles").GetInt64() - (rowBundles * m);
            Assert.Equal(1000 * median * rowBundles * m / ((rowBundles * m) + (ownShare * ownBundles)) / entries, c.GetProperty("pair_ms_per_entry").GetDouble(), 12);

            // Flops: modelled for every case without pooling layers; the rate counts pairs and own runs.
            bool pooled = definition.Layers.Layers.Any(l => l is AvgPoolLayer);
            var flops = c.GetProperty("flops_per_run");
            Assert.Equal(pooled ? JsonValueKind.Null : JsonValueKind.Number, flops.ValueKind);
            if (!pooled)
            {
                double gflops = flops.GetDouble() * (entries + (ownShare * (n + m))) / median / 1e9;
                Assert.Equal(gflops, c.GetProperty("gflops").GetDouble(), 9);
                Assert.Equal(gflops / root.GetProperty("peak_gflops").GetDouble(), c.GetProperty("peak_fraction").GetDouble(), 12);
            }

            // --quick shrinks the images: no goal is judged.
            Assert.Equal(JsonValueKind.Null, c.GetProperty("goal_met").ValueKind);
            Assert.Equal(name.StartsWith("nt-", StringComparison.Ordinal), c.GetProperty("reference").ValueKind == JsonValueKind.Object);
        }

        var gap = cases.Single(c => c.GetProperty("name").GetString() == "nt-gap").GetProperty("reference");
        Assert.Equal(6.21, gap.GetProperty("v100_ms").GetDouble());
        Assert.Equal(258.55, gap.GetProperty("cpu_ms").GetDouble());
        var flatten = cases.Single(c => c.GetProperty("name").GetString() == "nt-flatten").GetProperty("reference");
        Assert.Equal(0.0108, flatten.GetProperty("v100_ms").GetDouble());
        Assert.Equal(0.341, flatten.GetProperty("cpu_ms").GetDouble());
        Assert.Contains("Neural Tangents' benchmark network", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void BothPrecisions_RunEachCaseTwice_TheFp32OneAgainstItsFp64Twin()
    {
        using var directory = new TempDirectory();
        string json = Path.Combine(directory.Path, "conv.json");
        var output = new StringWriter();
        int exit = PerfProgram.Run(["conv", "--quick", "--cases", "nt-flatten", "--rows", "32", "--precision", "both", "--json", json], output, output);
        Assert.True(exit == 0, output.ToString());
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var cases = document.RootElement.GetProperty("cases").EnumerateArray().ToArray();
        Assert.Equal(["fp64", "fp32"], cases.Select(c => c.GetProperty("precision").GetString()));
        Assert.Equal(JsonValueKind.Null, cases[0].GetProperty("max_relative_error_vs_fp64").ValueKind);

        // Float's rounding shows, within the bound the docs state; the pairs' bundles hold twice the lanes of the own runs'.
        double error = cases[1].GetProperty("max_relative_error_vs_fp64").GetDouble();
        Assert.InRange(error, 1e-9, 1e-4);
        Assert.True(cases[1].GetProperty("speedup_vs_fp64").GetDouble() > 0);
        int m = cases[1].GetProperty("columns").GetInt32(), ownLanes = Vector512.IsHardwareAccelerated ? 16 : 8;
        Assert.Equal((32L / (2 * ownLanes) * m) + (32 / ownLanes) + ((m + ownLanes - 1) / ownLanes), cases[1].GetProperty("cpu_bundles").GetInt64());
    }

    [Fact]
    public void StencilFlops_MatchesCountsByHand()
    {
        var layers = Nngp.Serial(Nngp.Conv(3, 3, 2, 0.1), Nngp.Relu(), Nngp.Flatten(), Nngp.Dense(1, 0));

        // Flatten on 3×3×1: the diagonal slice, 9 positions. Input 2·1 per position: 18. Conv: each
        // row of 3 outputs has 2, 3, 2 taps inside (1 + 2 + 1 adds), 3 rows: 12, the same by columns:
        // 12, then 2 per position: 18; 42. ReLU 69 per position: 621 (the pixels' roots are made once
        // per point, not per run). Readout 1 per position: 9.
        Assert.Equal(18 + 42 + 621 + 9, StencilFlops.PerRun(layers, 3, 3, 1, ntk: false, StencilFlops.DividerFreeReluFlops));

        // With the divider's root and quotient (AVX2) the ReLU is 42 per position: 27 fewer at each of the 9.
        Assert.Equal(18 + 42 + (9 * 42) + 9, StencilFlops.PerRun(layers, 3, 3, 1, ntk: false, StencilFlops.DividerReluFlops));

        // NTK: the conv twice (84), ReLU + 1 (630), the readout of K and Θ (18); the input once.
        Assert.Equal(18 + 84 + 630 + 18, StencilFlops.PerRun(layers, 3, 3, 1, ntk: true, StencilFlops.DividerFreeReluFlops));

        // Global pooling on 2×2×2: slices (dr, dc) ∈ {−1, 0, 1}², of (2 − |dr|)(2 − |dc|) positions.
        // Slice (0, 0), 2×2: input 4·4 = 16, conv (2·2 + 2·2 + 2·4) = 16, ReLU 276, readout 4: 312.
        // Slices (0, ±1) and (±1, 0), 2×1 or 1×2: input 8, conv 2·1 + 0 + 4 = 6, ReLU 138, readout 2: 154 each.
        // Slices (±1, ±1), 1×1: input 4, conv 2, ReLU 69, readout 1: 76 each.
        var pooled = Nngp.Serial(Nngp.Conv(3, 3, 2, 0.1), Nngp.Relu(), Nngp.GlobalAvgPool(), Nngp.Dense(1, 0));
        Assert.Equal(312 + (4 * 154) + (4 * 76), StencilFlops.PerRun(pooled, 2, 2, 2, ntk: false, StencilFlops.DividerFreeReluFlops));

        // Layers the model leaves out: pooling (a barrier), activations outside the ReLU family, a strided conv.
        Assert.Null(StencilFlops.PerRun(Nngp.Myrtle5(), 32, 32, 3, ntk: true));
        Assert.Null(StencilFlops.PerRun(Nngp.Serial(Nngp.Conv(3, 3, 2, 0), Nngp.Erf(), Nngp.Flatten(), Nngp.Dense(1, 0)), 4, 4, 1, ntk: true));
        Assert.Null(StencilFlops.PerRun(Nngp.Serial(Nngp.Conv(3, 3, 2, 0, strideHeight: 2, strideWidth: 2), Nngp.Relu(), Nngp.Flatten(), Nngp.Dense(1, 0)), 4, 4, 1, ntk: true));
    }

    /// <summary>
    /// The model's positions are the compiled program's: every offset slice (P² positions per layer)
    /// with a global pooling, the diagonal slice (P) with Flatten, the same for a point's own run. A
    /// change in which slices the engine computes (e.g. a symmetry) shows here before the figures lie.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void StencilFlops_PositionsAreTheCompiledProgramsSlices(bool global)
    {
        const int height = 5, width = 4;
        ILayer readout = global ? Nngp.GlobalAvgPool() : Nngp.Flatten();
        var network = Nngp.Serial(Nngp.Conv(3, 3, 2, 0.1), Nngp.Relu(), Nngp.Conv(3, 3, 2, 0.1), Nngp.Relu(), readout, Nngp.Dense(1, 0)).OnImages(height, width, 2);
        var program = SliceProgram.TryCompile(LayerPlan.Compile(network), QuadratureRules.Get(QuadratureRules.DefaultOrder));
        Assert.NotNull(program);
        var segment = Assert.Single(program.Segments);
        long Positions(SliceOffsets offsets) => offsets.Slices().Sum(d => (long)(height - Math.Abs(d.Row)) * (width - Math.Abs(d.Column)));
        long expected = global ? (long)height * width * height * width : height * width;
        Assert.Equal(expected, Positions(segment.PairSlices));
        Assert.Equal(expected, Positions(segment.SelfSlices));
    }

    [Fact]
    public void Parse_ReadsOptionsAndRejectsBadOnes()
    {
        var options = ConvOptions.Parse(["--device", "GPU", "--repeats", "5", "--cases", "nt-gap,nt-flatten", "--rows", "32"]);
        Assert.Equal("gpu", options.Device);
        Assert.Equal(5, options.Repeats);
        Assert.Equal(["nt-gap", "nt-flatten"], options.Cases);
        Assert.Equal(32, options.Rows);
        Assert.Equal((true, 3, 0), ConvOptions.Parse(["--repeats", "3", "--quick"]) is var q ? (q.Quick, q.Repeats, q.Warmups) : default);
        Assert.Throws<ArgumentException>(() => ConvOptions.Parse(["--device", "tpu"]));
        Assert.Throws<ArgumentException>(() => ConvOptions.Parse(["--repeats", "0"]));
        Assert.Throws<ArgumentException>(() => ConvCases.Select(["no-such-case"]));
        Assert.Equal(["fp64", "fp32"], ConvOptions.Parse(["--precision", "both"]).Precisions);
        Assert.Equal(["fp64"], ConvOptions.Parse([]).Precisions);
        Assert.Throws<ArgumentException>(() => ConvOptions.Parse(["--precision", "fp16"]));

        var error = new StringWriter();
        Assert.Equal(2, PerfProgram.Run(["conv", "--bogus"], new StringWriter(), error));
        Assert.StartsWith("error: unknown option '--bogus'", error.ToString(), StringComparison.Ordinal);
    }
}
