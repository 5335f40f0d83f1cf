using System.Buffers.Binary;
using System.Text;
using GpuNngp.Data;
using GpuNngp.Engine.Tests.Backends;
using Xunit;

namespace GpuNngp.Engine.Tests.Cli;

/// <summary>`nngp predict --gd-time` and `nngp dynamics`: the files against the library, the time axis, the refusals.</summary>
public sealed class GradientDescentCommandTests
{
    /// <summary>A float64 .npy written in C order: its shape (from the header) and its values.</summary>
    private static (string Shape, double[] Values) ReadNpy(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8, 2));
        string header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        int start = header.IndexOf("'shape': (", StringComparison.Ordinal) + 10;
        string shape = header[start..header.IndexOf(')', start)];
        var values = new double[(bytes.Length - 10 - headerLength) / 8];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(10 + headerLength + (8 * i), 8));
        }

        return (shape, values);
    }

    private static (TempDirectory Temp, string[] Inputs) Files()
    {
        var temp = new TempDirectory();
        MatrixFile.Write(temp.File("x.csv"), BackendContractTests.RandomMatrix(20, 4, seed: 41));
        MatrixFile.Write(temp.File("y.npy"), BackendContractTests.RandomMatrix(20, 3, seed: 42));
        MatrixFile.Write(temp.File("t.npy"), BackendContractTests.RandomMatrix(7, 4, seed: 43));
        return (temp, ["predict", "--train-x", temp.File("x.csv"), "--train-y", temp.File("y.npy"), "--test-x", temp.File("t.npy"), "--depth", "2", "--device", "cpu"]);
    }

    [Fact]
    public void SeveralTimes_WriteALeadingTimeAxis_EqualToTheLibrary()
    {
        var (temp, inputs) = Files();
        using var _ = temp;
        var (code, _, error) = CliRunner.Run([.. inputs, "--gd-time", "0.5,20,inf", "--learning-rate", "0.3", "--ntk", "--out-mean", temp.File("m.npy"), "--out-var", temp.File("v.npy"), "--out-cov", temp.File("c.npy")]);
        Assert.True(code == 0, error);

        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        using var dynamics = engine.FitDynamics(
            Nngp.FullyConnected(2, Nngp.Relu(), 1.45, 0.28), MatrixFile.Read(temp.File("x.csv")), MatrixFile.Read(temp.File("y.npy")),
            new DynamicsOptions { Kind = KernelKind.Ntk, LearningRate = 0.3 }, TestContext.Current.CancellationToken);
        var expected = dynamics.Predict(MatrixFile.Read(temp.File("t.npy")), [0.5, 20, double.PositiveInfinity], covariance: true, TestContext.Current.CancellationToken);
        var (meanShape, mean) = ReadNpy(temp.File("m.npy"));
        var (varShape, variance) = ReadNpy(temp.File("v.npy"));
        var (covShape, covariance) = ReadNpy(temp.File("c.npy"));
        Assert.Equal("3, 7, 3", meanShape);
        Assert.Equal("3, 7", varShape);
        Assert.Equal("3, 7, 7", covShape);
        for (int t = 0; t < 3; t++)
        {
            for (int j = 0; j < 7; j++)
            {
                Assert.Equal(expected.Variances[t][j], variance[(t * 7) + j], 14);
                for (int c = 0; c < 3; c++)
                {
                    Assert.Equal(expected.Means[t][j, c], mean[(t * 21) + (j * 3) + c], 14);
                }

                for (int k = 0; k < 7; k++)
                {
                    Assert.Equal(expected.Covariances![t][j, k], covariance[(t * 49) + (j * 7) + k], 14);
                }
            }
        }
    }

    [Fact]
    public void OneTime_WritesTheShapesPredictWrites()
    {
        var (temp, inputs) = Files();
        using var _ = temp;
        var (code, _, error) = CliRunner.Run([.. inputs, "--gd-time", "3", "--out-mean", temp.File("m.csv"), "--out-std", temp.File("s.npy")]);
        Assert.True(code == 0, error);
        var mean = MatrixFile.Read(temp.File("m.csv"));
        Assert.Equal((7, 3), (mean.RowCount, mean.ColumnCount));
        Assert.Equal("7,", ReadNpy(temp.File("s.npy")).Shape);
    }

    [Theory]
    [InlineData("--gd-time=-1", "a time must be ≥ 0")]
    [InlineData("--gd-time=1,x", "is not a time")]
    [InlineData("--gd-time=nan", "a time must be ≥ 0")]
    [InlineData("--gd-time=1 --learning-rate=0", "--learning-rate must be finite and > 0")]
    [InlineData("--gd-time=1 --learning-rate=-2", "--learning-rate must be finite and > 0")]
    [InlineData("--learning-rate=0.5", "needs --gd-time")]
    [InlineData("--gd-time=1 --noise=0.1", "drop --noise")]
    [InlineData("--gd-time=1 --diag-reg=-1", "--diag-reg must be finite and ≥ 0")]
    public void BadInput_IsOneLine_ExitTwo_NoFile(string extra, string expected)
    {
        var (temp, inputs) = Files();
        using var _ = temp;
        var (code, _, error) = CliRunner.Run([.. inputs, .. extra.Split(' '), "--out-mean", temp.File("m.npy")]);
        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
        Assert.False(File.Exists(temp.File("m.npy")));
    }

    [Fact]
    public void Dynamics_WritesThePictureAndNumbers_WhoseEndIsTheInfiniteTime()
    {
        using var temp = new TempDirectory();
        var (code, _, error) = CliRunner.Run(
            "dynamics", "--train-size", "60", "--test-size", "40", "--depth", "1", "--times", "1,100,1e4", "--device", "cpu",
            "--plot", temp.File("curve.png"), "--json", temp.File("curve.json"));
        Assert.True(code == 0, error);
        Assert.True(new FileInfo(temp.File("curve.png")).Length > 10_000);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(temp.File("curve.json")));
        var root = json.RootElement;
        Assert.Equal(3, root.GetProperty("times").GetArrayLength());
        var trainLoss = root.GetProperty("trainLoss").EnumerateArray().Select(e => e.GetDouble()).ToArray();

        // Gradient descent only lowers the training loss, towards its t = ∞ value (interpolation: ~0).
        Assert.True(trainLoss[0] > trainLoss[1] && trainLoss[1] > trainLoss[2]);
        double atInfinity = root.GetProperty("atInfinity").GetProperty("trainLoss").GetDouble();
        Assert.True(atInfinity < trainLoss[2] && atInfinity < 1e-8);
        Assert.InRange(root.GetProperty("posterior").GetProperty("testAccuracy").GetDouble(), 0.3, 1);
    }
}
