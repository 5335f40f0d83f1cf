using GpuNngp.Data;
using GpuNngp.Engine.Tests.Backends;
using Xunit;

namespace GpuNngp.Engine.Tests.Cli;

/// <summary>
/// Fit once, predict later: `nngp predict --save-model` writes the fitted posterior, `nngp predict
/// --model` predicts with it without the training set, the same numbers bit for bit; options that do
/// not go together are refused in one line before anything is read or written.
/// </summary>
public sealed class SavedModelCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public SavedModelCommandTests()
    {
        MatrixFile.Write(_temp.File("x.npy"), BackendContractTests.RandomMatrix(30, 4, seed: 101));
        MatrixFile.Write(_temp.File("y.npy"), BackendContractTests.RandomMatrix(30, 2, seed: 102));
        MatrixFile.Write(_temp.File("t.npy"), BackendContractTests.RandomMatrix(9, 4, seed: 103));
    }

    [Fact]
    public void SavedModel_PredictsLaterAsTheFitDid()
    {
        var (fitCode, _, fitError) = CliRunner.Run(
            "predict", "--train-x", _temp.File("x.npy"), "--train-y", _temp.File("y.npy"), "--test-x", _temp.File("t.npy"),
            "--activation", "erf", "--depth", "2", "--noise", "0.01", "--ntk", "--device", "cpu",
            "--out-mean", _temp.File("mean.npy"), "--out-var", _temp.File("var.npy"), "--save-model", _temp.File("model.nngp"));
        Assert.True(fitCode == 0, fitError);

        var (code, output, error) = CliRunner.Run(
            "predict", "--model", _temp.File("model.nngp"), "--test-x", _temp.File("t.npy"), "--device", "cpu",
            "--out-mean", _temp.File("mean2.npy"), "--out-var", _temp.File("var2.npy"));

        Assert.True(code == 0, error);
        Assert.Contains("posterior loaded from", output, StringComparison.Ordinal);
        Assert.Contains("Ntk", output, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(_temp.File("mean.npy")), File.ReadAllBytes(_temp.File("mean2.npy")));
        Assert.Equal(File.ReadAllBytes(_temp.File("var.npy")), File.ReadAllBytes(_temp.File("var2.npy")));
    }

    [Fact]
    public void SaveModel_WithoutTestInputs_OnlyFitsAndSaves()
    {
        var (code, output, error) = CliRunner.Run(
            "predict", "--train-x", _temp.File("x.npy"), "--train-y", _temp.File("y.npy"), "--device", "cpu", "--save-model", _temp.File("model.nngp"));

        Assert.True(code == 0, error);
        Assert.Contains("saved to", output, StringComparison.Ordinal);
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        using var posterior = PosteriorFile.Load(engine, _temp.File("model.nngp"));
        Assert.Equal(30, posterior.TrainCount);
        Assert.Equal(Nngp.FullyConnected(3, Nngp.Relu(), 1.45, 0.28).Layers, posterior.Network.Layers);
    }

    public static TheoryData<string[], string> Misuses => new()
    {
        { ["--model", "{model.nngp}", "--train-x", "{x.npy}", "--test-x", "{t.npy}", "--out-mean", "{m.npy}"], "drop --train-x" },
        { ["--model", "{model.nngp}", "--depth", "2", "--test-x", "{t.npy}", "--out-mean", "{m.npy}"], "drop --depth" },
        { ["--model", "{model.nngp}", "--save-model", "{other.nngp}", "--test-x", "{t.npy}", "--out-mean", "{m.npy}"], "would only copy" },
        { ["--train-x", "{x.npy}", "--test-x", "{t.npy}", "--out-mean", "{m.npy}"], "--train-x and --train-y are required" },
        { ["--train-x", "{x.npy}", "--train-y", "{y.npy}"], "nothing to do" },
        { ["--train-x", "{x.npy}", "--train-y", "{y.npy}", "--test-x", "{t.npy}"], "--out-mean is required" },
        { ["--train-x", "{x.npy}", "--train-y", "{y.npy}", "--save-model", "{model.nngp}", "--out-mean", "{m.npy}"], "--out-mean needs --test-x" },
        { ["--train-x", "{x.npy}", "--train-y", "{y.npy}", "--save-model", "{x.npy}"], "also the input --train-x" },
        { ["--model", "{x.npy}", "--test-x", "{t.npy}", "--out-mean", "{m.npy}"], "x.npy: not a GpuNngp posterior file" },
        { ["--model", "{absent.nngp}", "--test-x", "{t.npy}", "--out-mean", "{m.npy}"], "absent.nngp: file not found" },
    };

    [Theory]
    [MemberData(nameof(Misuses))]
    public void Misuse_IsOneLine_AndWritesNothing(string[] args, string mention)
    {
        File.WriteAllBytes(_temp.File("model.nngp"), [1, 2, 3]);
        string[] full = ["predict", "--device", "cpu", .. args.Select(a => a.StartsWith('{') ? _temp.File(a.Trim('{', '}')) : a)];
        byte[] model = File.ReadAllBytes(_temp.File("model.nngp"));

        var (code, _, error) = CliRunner.Run(full);

        Assert.True(code == 2, $"exit code {code}: {error}");
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(mention, line, StringComparison.Ordinal);
        Assert.Equal(model, File.ReadAllBytes(_temp.File("model.nngp")));
        Assert.False(File.Exists(_temp.File("m.npy")));
        Assert.False(File.Exists(_temp.File("other.nngp")));
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.tmp"));
    }

    public void Dispose() => _temp.Dispose();
}
