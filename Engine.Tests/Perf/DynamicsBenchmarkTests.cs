using System.Text.Json;
using GpuNngp.Perf;
using GpuNngp.Perf.Dynamics;
using Xunit;

namespace GpuNngp.Engine.Tests.Perf;

/// <summary>
/// The dynamics benchmark (<c>perf dynamics</c>) on a toy size in process: its JSON states the sizes it
/// was asked for and stage times that add up as the report says; bad options exit 2 with one line.
/// No timing is asserted.
/// </summary>
[Collection(nameof(PerfHarnessCollection))]
public sealed class DynamicsBenchmarkTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ToySize_ReportsTheSizesAskedFor_AndEveryStage(bool ntk)
    {
        using var directory = new TempDirectory();
        string json = Path.Combine(directory.Path, "dynamics.json");
        var output = new StringWriter();
        string[] args = ["dynamics", "--dataset", "mnist10k", "--train", "60", "--test", "20", "--depth", "2", "--times", "7", "--json", json];
        int exit = PerfProgram.Run(ntk ? [.. args, "--ntk"] : args, output, output);
        Assert.True(exit == 0, output.ToString());

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var root = document.RootElement;
        Assert.Equal(60, root.GetProperty("train_size").GetInt32());
        Assert.Equal(20, root.GetProperty("test_size").GetInt32());
        Assert.Equal(7, root.GetProperty("time_count").GetInt32());
        Assert.Equal(10, root.GetProperty("outputs").GetInt32());
        double fit = root.GetProperty("fit_seconds").GetDouble();
        double stages = root.GetProperty("kernel_seconds").GetDouble() + root.GetProperty("eigen_seconds").GetDouble() + root.GetProperty("projection_seconds").GetDouble();
        Assert.True(root.GetProperty("eigen_seconds").GetDouble() > 0 && root.GetProperty("kernel_seconds").GetDouble() > 0);
        Assert.True(stages <= fit * 1.0001, $"stages {stages} s exceed the fit's wall clock {fit} s");
        Assert.True(root.GetProperty("training_curve_seconds").GetDouble() > 0);
        Assert.Contains("| fit: eigendecomposition", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Times_AreLogSpacedFromATenthTo1e8()
    {
        double[] times = new DynamicsBenchmarkSettings { TimeCount = 10 }.Times();
        Assert.Equal(0.1, times[0], 12);
        Assert.Equal(1e8, times[^1], 4);
        Assert.All(times.Zip(times.Skip(1)), p => Assert.Equal(10.0, p.Second / p.First, 9));
    }

    [Theory]
    [InlineData("--train", "1")]
    [InlineData("--times", "x")]
    [InlineData("--device", "tpu")]
    [InlineData("--bogus", "1")]
    public void BadOptions_ExitTwo_WithOneLine(string name, string value)
    {
        var error = new StringWriter();
        Assert.Equal(2, PerfProgram.Run(["dynamics", name, value], TextWriter.Null, error));
        Assert.StartsWith("error: ", error.ToString(), StringComparison.Ordinal);
    }
}
