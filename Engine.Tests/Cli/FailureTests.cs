using System.Diagnostics;
using System.Text.Json;
using GpuNngp.Data;
using GpuNngp.Engine.Tests.Backends;
using Xunit;

namespace GpuNngp.Engine.Tests.Cli;

/// <summary>
/// Failures that need more than one command line to set up: outputs that collide, a full disk;
/// and the runs that must work where they used to fail (a test size of 1).
/// </summary>
public sealed class FailureTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public FailureTests()
    {
        MatrixFile.Write(_temp.File("x.npy"), BackendContractTests.RandomMatrix(10, 4, seed: 50));
        MatrixFile.Write(_temp.File("y.npy"), BackendContractTests.RandomMatrix(10, 2, seed: 51));
        MatrixFile.Write(_temp.File("t.npy"), BackendContractTests.RandomMatrix(5, 4, seed: 52));
    }

    private string[] Predict(params string[] outputs) =>
        ["predict", "--train-x", _temp.File("x.npy"), "--train-y", _temp.File("y.npy"), "--test-x", _temp.File("t.npy"), "--device", "cpu", .. outputs];

    [Fact]
    public void MeanAndVarianceIntoOneFile_IsRefused_AndWritesNothing()
    {
        var (code, _, error) = CliRunner.Run(Predict("--out-mean", _temp.File("f.npy"), "--out-var", _temp.File("f.npy")));
        AssertOneLineError(code, error, "same file");
        Assert.False(File.Exists(_temp.File("f.npy")));
    }

    [Fact]
    public void Predict_PrintsTheJitterItAdded_AndOneLinePerStageWhenNotInteractive()
    {
        var (code, output, error) = CliRunner.Run(Predict("--out-mean", _temp.File("m.npy")));
        Assert.True(code == 0, error);
        Assert.Contains("jitter added: ", output, StringComparison.Ordinal);
        Assert.Contains("stage layer-map done", output, StringComparison.Ordinal);

        // Every stage announces itself, those that report no progress of their own too.
        foreach (string stage in new[] { "input-gram", "factorisation", "solve", "test-kernel", "mean" })
        {
            Assert.Contains($"stage {stage} …", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Evaluate_WithOneTestPoint_Works_AndReportsTheCorrelationsAsUndefined()
    {
        var (code, output, error) = CliRunner.Run("evaluate", "--train-size", "200", "--test-size", "1", "--depth", "1", "--device", "cpu", "--json", _temp.File("r.json"));
        Assert.True(code == 0, error);
        Assert.Contains("Pearson r = undefined", output, StringComparison.Ordinal);
        using var report = JsonDocument.Parse(File.ReadAllText(_temp.File("r.json")));
        Assert.Equal(JsonValueKind.Null, report.RootElement.GetProperty("calibration").GetProperty("pearson").ValueKind);
        Assert.Equal(1, report.RootElement.GetProperty("testSize").GetInt32());
    }

    [Fact]
    public void OutputLargerThanTheFreeSpace_IsRefusedBeforeAnyWork_AndAFullDiskIsOneLine()
    {
        string small = _temp.File("small");
        Directory.CreateDirectory(small);
        Assert.SkipUnless(TryMountSmallTmpfs(small), "needs root to mount a 64 KiB tmpfs as a small disk");
        try
        {
            // 10×10 doubles fit; 100×100 (80 kB) do not.
            MatrixFile.Write(_temp.File("x100.npy"), BackendContractTests.RandomMatrix(100, 4, seed: 53));
            var (code, _, error) = CliRunner.Run("kernel", "--x1", _temp.File("x100.npy"), "--out", Path.Combine(small, "k.npy"), "--device", "cpu");
            AssertOneLineError(code, error, "needs 80128 bytes");
            Assert.Empty(Directory.GetFileSystemEntries(small));

            // Fill the disk, then start a search whose CSV cannot be written there.
            FillUp(Path.Combine(small, "filler"));
            (code, _, error) = CliRunner.Run(
                "search", "--train-size", "60", "--validation-size", "20", "--depths", "1", "--weight-vars", "1", "--bias-vars", "0.1", "--device", "cpu",
                "--csv", Path.Combine(small, "r.csv"));
            AssertOneLineError(code, error, "r.csv");
            Assert.Equal(["filler"], Directory.GetFileSystemEntries(small).Select(Path.GetFileName));
        }
        finally
        {
            Run("umount", small);
        }
    }

    internal static void AssertOneLineError(int code, string error, string mention)
    {
        Assert.True(code == 2, $"exit code {code}, stderr: {error}");
        string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line, got: {error}");
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(mention, lines[0], StringComparison.Ordinal);
    }

    private static bool TryMountSmallTmpfs(string directory) =>
        OperatingSystem.IsLinux() && Environment.UserName == "root" && Run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", directory) == 0;

    private static void FillUp(string path)
    {
        using var stream = File.OpenWrite(path);
        var block = new byte[4096];
        try
        {
            while (true)
            {
                stream.Write(block);
                stream.Flush();
            }
        }
        catch (IOException)
        {
            // full
        }
    }

    private static int Run(string command, params string[] arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    public void Dispose() => _temp.Dispose();
}
