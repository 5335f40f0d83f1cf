using GpuNngp.Perf;
using Xunit;

namespace GpuNngp.Engine.Tests.Iterative;

/// <summary>The harness's <c>pcg</c> verb: a tiny run writes its table row with the dense comparison; a bad option is refused with exit code 2.</summary>
public sealed class PcgBenchmarkTests
{
    [Fact]
    public void ATinyRun_WritesARow_WhoseMeanAgreesWithTheDenseFit()
    {
        var output = new StringWriter();
        int exit = PerfProgram.Run(["pcg", "--dataset", "mnist10k", "--sizes", "100", "--ranks", "10", "--tolerance", "1e-9", "--dense"], output, output);
        Assert.True(exit == 0, output.ToString());
        string row = output.ToString().Split('\n').Single(line => line.StartsWith("| 100 | 10 |", StringComparison.Ordinal));
        double difference = double.Parse(row.Split('|')[9], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(difference < 1e-6, row);
    }

    [Fact]
    public void ABadOption_IsRefused()
    {
        var error = new StringWriter();
        Assert.Equal(2, PerfProgram.Run(["pcg", "--ranks"], TextWriter.Null, error));
        Assert.Equal("error: pcg: --ranks needs a value", error.ToString().Trim());
    }
}
