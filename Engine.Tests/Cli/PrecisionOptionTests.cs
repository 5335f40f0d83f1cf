using System.Text.Json;
using GpuNngp.Data;
using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Tests.Data;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuNngp.Engine.Tests.Cli;

/// <summary>`--precision fp64|fp32` on kernel, predict, evaluate and search: the library's <see cref="KernelOptions.Precision"/>; a bad value is one line, exit 2.</summary>
public sealed class PrecisionOptionTests : IDisposable
{
    private const string Spec = "(conv:3x3:same:1.6:0.1,relu)*2,flatten,dense:1.6:0.1";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Kernel_Fp32_WritesTheLibrarysFp32Kernel_WhichIsNotFp64s()
    {
        var random = new Random(80);
        double[] images = [.. Enumerable.Range(0, 5 * 6 * 5 * 2).Select(_ => random.NextDouble() - 0.5)];
        File.WriteAllBytes(_temp.File("x.npy"), TestFiles.Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (5, 6, 5, 2), }", TestFiles.Float64(images)));
        string[] arguments = ["kernel", "--x1", _temp.File("x.npy"), "--device", "cpu", "--net", Spec, "--ntk"];
        var (code, _, error) = CliRunner.Run([.. arguments, "--out", _temp.File("k32.npy"), "--precision", "fp32"]);
        Assert.True(code == 0, error);
        (code, _, error) = CliRunner.Run([.. arguments, "--out", _temp.File("k64.npy"), "--precision", "FP64"]);
        Assert.True(code == 0, error);

        var x = Matrix<double>.Build.Dense(5, 60, (i, j) => images[(i * 60) + j]);
        var network = NetworkSpec.Parse(Spec).OnImages(6, 5, 2);
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var single = engine.Kernel(network, x, null, new KernelOptions { Kind = KernelKind.Ntk, Precision = KernelPrecision.Single }, TestContext.Current.CancellationToken);
        var fp32 = MatrixFile.Read(_temp.File("k32.npy"));
        var fp64 = MatrixFile.Read(_temp.File("k64.npy"));
        Assert.Equal(single.ToColumnMajorArray(), fp32.ToColumnMajorArray());
        Assert.Equal(engine.Kernel(network, x, null, KernelKind.Ntk).ToColumnMajorArray(), fp64.ToColumnMajorArray());
        Assert.NotEqual(fp64.ToColumnMajorArray(), fp32.ToColumnMajorArray());
    }

    [Fact]
    public void Evaluate_Fp32_IsTheLibrarysFp32Fit()
    {
        string data = _temp.File("data");
        ImageDatasetFiles.Write(data, train: 20, test: 6);
        var (code, _, error) = CliRunner.Run(
            ["evaluate", "--dataset", data, "--train-size", "20", "--test-size", "6", "--net", Spec, "--noise", "1e-4", "--device", "cpu", "--precision", "fp32", "--json", _temp.File("r.json")]);
        Assert.True(code == 0, error);
        (code, _, error) = CliRunner.Run(
            ["search", "--dataset", data, "--train-size", "20", "--validation-size", "6", "--net", Spec, "--weight-vars", "1.6", "--bias-vars", "0.1", "--noises", "1e-4",
             "--device", "cpu", "--precision", "fp32", "--csv", _temp.File("s.csv")]);
        Assert.True(code == 0, error);
        double evaluated = JsonDocument.Parse(File.ReadAllText(_temp.File("r.json"))).RootElement.GetProperty("logMarginalLikelihood").GetDouble();
        double searched = GpuNngp.Experiments.Selection.SearchCsv.Read(_temp.File("s.csv")).Single().LogMarginalLikelihood;

        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        double Likelihood(LabeledImages set, KernelPrecision precision)
        {
            var x = GpuNngp.Experiments.Evaluation.Preprocessing.StandardisePerExample(set.Images);
            var y = Matrix<double>.Build.Dense(set.Labels.Length, 3, (i, c) => set.Labels[i] == c ? 0.9 : -0.1);
            using var posterior = engine.Fit(NetworkSpec.Parse(Spec).OnImages(8, 8, 1), x, y, new FitOptions { Noise = 1e-4, Precision = precision }, TestContext.Current.CancellationToken);
            return posterior.LogMarginalLikelihood;
        }

        var train = DataSplit.Load(data, 20, 6).Train;
        Assert.Equal(Likelihood(train, KernelPrecision.Single), evaluated, 1e-9 * Math.Abs(evaluated));
        Assert.NotEqual(Likelihood(train, KernelPrecision.Double), evaluated);
        Assert.Equal(Likelihood(DataSplit.LoadTraining(data, 20).SplitLast(6).Fit, KernelPrecision.Single), searched, 1e-9 * Math.Abs(searched));
    }

    [Theory]
    [InlineData("kernel", "--x1", "x.npy", "--out", "k.npy")]
    [InlineData("predict")]
    [InlineData("evaluate")]
    [InlineData("search", "--csv", "s.csv")]
    public void ABadPrecision_IsOneLineExitTwo(string command, params string[] required)
    {
        var (code, _, error) = CliRunner.Run([command, .. required.Select(r => r.Contains('.', StringComparison.Ordinal) ? _temp.File(r) : r), "--precision", "fp16"]);
        Assert.Equal(2, code);
        Assert.Contains("--precision: 'fp16' is not fp64 or fp32", error, StringComparison.Ordinal);
    }
}
