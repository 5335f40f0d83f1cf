using GpuNngp.Data;
using GpuNngp.Engine.Tests.Backends;
using Xunit;

namespace GpuNngp.Engine.Tests.Cli;

/// <summary>
/// Bad input of every kind: one line on standard error naming the problem, exit code 2, no stack
/// trace and no output file.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly byte[] _inputBytes;

    public BadInputTests()
    {
        MatrixFile.Write(_temp.File("x.npy"), BackendContractTests.RandomMatrix(10, 4, seed: 40));
        _inputBytes = File.ReadAllBytes(_temp.File("x.npy"));
        MatrixFile.Write(_temp.File("y.npy"), BackendContractTests.RandomMatrix(10, 2, seed: 41));
        MatrixFile.Write(_temp.File("y9.npy"), BackendContractTests.RandomMatrix(9, 2, seed: 42));
        MatrixFile.Write(_temp.File("t.npy"), BackendContractTests.RandomMatrix(5, 4, seed: 43));
        MatrixFile.Write(_temp.File("t3.npy"), BackendContractTests.RandomMatrix(5, 3, seed: 44));
        MatrixFile.Write(_temp.File("one.npy"), BackendContractTests.RandomMatrix(1, 4, seed: 45));
        MatrixFile.Write(_temp.File("y1.npy"), BackendContractTests.RandomMatrix(1, 2, seed: 46));
        File.WriteAllText(_temp.File("nan.csv"), "1,2,3,4\n5,NaN,7,8\n");
        File.WriteAllText(_temp.File("inf.csv"), "1,2,3,4\n5,6,Infinity,8\n");
        File.WriteAllText(_temp.File("ragged.csv"), "1,2,3,4\n5,6,7\n");
        File.WriteAllText(_temp.File("empty.csv"), "");
        File.WriteAllBytes(_temp.File("int64.npy"), NpyBytes("<i8", 16));
        File.WriteAllBytes(_temp.File("truncated.npy"), NpyBytes("<f8", 8).AsSpan(0, 140).ToArray());

        Directory.CreateDirectory(_temp.File("plots"));
        Directory.CreateDirectory(_temp.File("idx"));
        File.WriteAllBytes(_temp.File("idx/train-images-idx3-ubyte"), [0, 0, 8, 3, 0, 0, 0, 100, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3]);
        File.WriteAllBytes(_temp.File("idx/train-labels-idx1-ubyte"), [0, 0, 8, 1, 0, 0, 0, 100, 1, 2]);
        File.WriteAllBytes(_temp.File("idx/t10k-images-idx3-ubyte.gz"), [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5]);
        File.WriteAllBytes(_temp.File("idx/t10k-labels-idx1-ubyte"), [0, 0, 8, 1, 0, 0, 0, 1, 1]);

        // Valid training files; the test images are a gzip header followed by garbage.
        Directory.CreateDirectory(_temp.File("gz"));
        byte[] images = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28, .. Enumerable.Range(0, 2 * 784).Select(i => (byte)(i % 251))];
        File.WriteAllBytes(_temp.File("gz/train-images-idx3-ubyte"), images);
        File.WriteAllBytes(_temp.File("gz/train-labels-idx1-ubyte"), [0, 0, 8, 1, 0, 0, 0, 2, 0, 1]);
        File.WriteAllBytes(_temp.File("gz/t10k-images-idx3-ubyte.gz"), [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5]);
        File.WriteAllBytes(_temp.File("gz/t10k-labels-idx1-ubyte"), [0, 0, 8, 1, 0, 0, 0, 1, 1]);

        // Finite inputs whose squares overflow the kernel: x·x/d ≈ 1e300.
        MatrixFile.Write(_temp.File("huge.npy"), BackendContractTests.RandomMatrix(10, 4, seed: 47) * 1e150);

        // Labels: a corrupt 200 among classes 0 and 1; a test class that no training example has.
        WriteIdx("label200", trainLabels: [0, 1, 200], testLabels: [0]);
        WriteIdx("unseen", trainLabels: [0, 1, 0], testLabels: [5]);
    }

    /// <summary>An MNIST-format directory of 28×28 images with these labels.</summary>
    private void WriteIdx(string directory, byte[] trainLabels, byte[] testLabels)
    {
        Directory.CreateDirectory(_temp.File(directory));
        static byte[] Images(int count) =>
            [0, 0, 8, 3, 0, 0, 0, (byte)count, 0, 0, 0, 28, 0, 0, 0, 28, .. Enumerable.Range(0, count * 784).Select(i => (byte)((i * 7 + i / 784 * 13) % 251))];
        static byte[] Labels(byte[] labels) => [0, 0, 8, 1, 0, 0, 0, (byte)labels.Length, .. labels];
        File.WriteAllBytes(_temp.File($"{directory}/train-images-idx3-ubyte"), Images(trainLabels.Length));
        File.WriteAllBytes(_temp.File($"{directory}/train-labels-idx1-ubyte"), Labels(trainLabels));
        File.WriteAllBytes(_temp.File($"{directory}/t10k-images-idx3-ubyte"), Images(testLabels.Length));
        File.WriteAllBytes(_temp.File($"{directory}/t10k-labels-idx1-ubyte"), Labels(testLabels));
    }

    public static TheoryData<string, string[], string> Cases => new()
    {
        { "NaN value", ["predict", "--train-x", "{nan.csv}", "--train-y", "{y.npy}", "--test-x", "{t.npy}"], "NaN" },
        { "infinite value", ["predict", "--train-x", "{inf.csv}", "--train-y", "{y.npy}", "--test-x", "{t.npy}"], "row 2, column 3" },
        { "ragged CSV", ["predict", "--train-x", "{ragged.csv}", "--train-y", "{y.npy}", "--test-x", "{t.npy}"], "ragged.csv" },
        { "empty data", ["predict", "--train-x", "{empty.csv}", "--train-y", "{y.npy}", "--test-x", "{t.npy}"], "empty" },
        { "rows of X and Y differ", ["predict", "--train-x", "{x.npy}", "--train-y", "{y9.npy}", "--test-x", "{t.npy}"], "rows" },
        { "features of X and T differ", ["predict", "--train-x", "{x.npy}", "--train-y", "{y.npy}", "--test-x", "{t3.npy}"], "features" },
        { "wrong NPY dtype", ["predict", "--train-x", "{int64.npy}", "--train-y", "{y.npy}", "--test-x", "{t.npy}"], "<i8" },
        { "truncated NPY", ["predict", "--train-x", "{truncated.npy}", "--train-y", "{y.npy}", "--test-x", "{t.npy}"], "truncated.npy" },
        { "N = 1", ["predict", "--train-x", "{one.npy}", "--train-y", "{y1.npy}", "--test-x", "{t.npy}"], "at least 2" },
        { "negative weight variance", ["predict", "--train-x", "{x.npy}", "--train-y", "{y.npy}", "--test-x", "{t.npy}", "--weight-var", "-1"], "weight variance" },
        { "negative bias variance", ["predict", "--train-x", "{x.npy}", "--train-y", "{y.npy}", "--test-x", "{t.npy}", "--bias-var", "-0.5"], "bias variance" },
        { "negative noise", ["predict", "--train-x", "{x.npy}", "--train-y", "{y.npy}", "--test-x", "{t.npy}", "--noise", "-1"], "noise" },
        { "negative depth", ["predict", "--train-x", "{x.npy}", "--train-y", "{y.npy}", "--test-x", "{t.npy}", "--depth", "-1"], "depth" },
        { "unknown activation", ["predict", "--train-x", "{x.npy}", "--train-y", "{y.npy}", "--test-x", "{t.npy}", "--activation", "wobble"], "wobble" },
        { "missing file", ["predict", "--train-x", "{absent.npy}", "--train-y", "{y.npy}", "--test-x", "{t.npy}"], "absent.npy" },
        { "output type", ["kernel", "--x1", "{x.npy}", "--out", "{out.txt}"], ".txt" },
        { "truncated IDX", ["evaluate", "--dataset", "{idx}", "--train-size", "10", "--test-size", "1", "--device", "cpu"], "train-images-idx3-ubyte" },
        { "corrupt gzip", ["evaluate", "--dataset", "{gz}", "--train-size", "2", "--test-size", "1", "--device", "cpu"], "gzip" },
        { "training size 0", ["evaluate", "--dataset", "mnist10k", "--train-size", "0", "--test-size", "1", "--device", "cpu"], "training size" },
        { "test size too large", ["evaluate", "--dataset", "mnist10k", "--train-size", "9000", "--test-size", "2000", "--device", "cpu"], "10000" },
        { "unknown option", ["evaluate", "--frobnicate"], "frobnicate" },
        { "non-numeric option", ["evaluate", "--depth", "three"], "three" },
        { "validation split as large as the training part", ["search", "--train-size", "100", "--validation-size", "100", "--depths", "1", "--device", "cpu", "--csv", "{out.csv}"], "validation size" },
        { "unreadable grid", ["search", "--weight-vars", "1:x:3", "--csv", "{out.csv}"], "--weight-vars" },
        { "negative noise in the grid", ["search", "--noises", "1e-3,-1", "--csv", "{out.csv}"], "noise values" },
        { "fractional depth", ["search", "--depths", "1,2.5", "--csv", "{out.csv}"], "--depths" },
        { "unevenly spaced grid for plots", ["search", "--weight-vars", "0.5,1,3", "--plots", "{plots}", "--csv", "{out.csv}"], "--plots" },
        { "kernel overflows with depth", ["kernel", "--x1", "{x.npy}", "--out", "{out.npy}", "--weight-var", "5", "--bias-var", "0.1", "--depth", "1000", "--device", "cpu"], "overflows at layer" },
        { "kernel overflows at once", ["kernel", "--x1", "{x.npy}", "--out", "{out.npy}", "--weight-var", "1e308", "--device", "cpu"], "overflows at layer 1 " },
        { "NTK overflows", ["kernel", "--x1", "{x.npy}", "--out", "{out.npy}", "--weight-var", "1e200", "--depth", "1", "--ntk", "--device", "cpu"], "overflows at layer" },
        { "inputs too large for the kernel", ["predict", "--train-x", "{huge.npy}", "--train-y", "{y.npy}", "--test-x", "{t.npy}", "--device", "cpu"], "inputs are too large" },
        { "thousands separator in a number", ["kernel", "--x1", "{x.npy}", "--out", "{out.npy}", "--weight-var", "1,5"], "'1,5'" },
        { "thousands separator in a whole number", ["kernel", "--x1", "{x.npy}", "--out", "{out.npy}", "--depth", "1,000"], "'1,000'" },
        { "Monte Carlo width 0", ["kernel", "--x1", "{x.npy}", "--out", "{out.npy}", "--monte-carlo", "0,4", "--device", "cpu"], "must be ≥ 1, got 0,4" },
        { "Monte Carlo no draws", ["kernel", "--x1", "{x.npy}", "--out", "{out.npy}", "--monte-carlo", "16,0", "--device", "cpu"], "must be ≥ 1, got 16,0" },
        { "Monte Carlo not W,S", ["kernel", "--x1", "{x.npy}", "--out", "{out.npy}", "--monte-carlo", "16", "--device", "cpu"], "is not W,S" },
        { "Monte Carlo seed not an integer", ["kernel", "--x1", "{x.npy}", "--out", "{out.npy}", "--monte-carlo", "16,2", "--seed", "1.5", "--device", "cpu"], "--seed: '1.5'" },
        { "seed without Monte Carlo", ["kernel", "--x1", "{x.npy}", "--out", "{out.npy}", "--seed", "3", "--device", "cpu"], "needs --monte-carlo" },
        { "output is an input", ["kernel", "--x1", "{x.npy}", "--out", "{x.npy}", "--device", "cpu"], "also the input --x1" },
        { "output directory missing", ["kernel", "--x1", "{x.npy}", "--out", "{absent/out.npy}", "--device", "cpu"], "does not exist" },
        { "JSON directory missing", ["evaluate", "--train-size", "50", "--test-size", "20", "--device", "cpu", "--json", "{absent/r.json}"], "does not exist" },
        { "IDX label out of range", ["evaluate", "--dataset", "{label200}", "--train-size", "3", "--test-size", "1", "--device", "cpu"], "no example has class 2" },
        { "test label unseen in training", ["evaluate", "--dataset", "{unseen}", "--train-size", "3", "--test-size", "1", "--device", "cpu"], "class 5" },
        { "grid count past Int32", ["search", "--weight-vars", "1:2:3000000000", "--csv", "{out.csv}"], "3000000000" },
        { "grid of 2^32 points", ["search", "--weight-vars", "0:1:65536", "--bias-vars", "0:1:65536", "--depths", "1", "--csv", "{out.csv}"], "4294967296 points" },
        { "repeated grid value", ["search", "--weight-vars", "1,1", "--csv", "{out.csv}"], "more than once" },
        { "search results not CSV", ["search", "--depths", "1", "--train-size", "50", "--validation-size", "10", "--device", "cpu", "--csv", "{out.txt}"], ".csv" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void BadInput_IsOneLineAndExitCodeTwo_AndWritesNothing(string problem, string[] args, string mention)
    {
        string[] resolved = args.Select(a => a.StartsWith('{') ? _temp.File(a.Trim('{', '}')) : a).ToArray();
        string[] outputs = ["--out", _temp.File("out.npy"), "--out-mean", _temp.File("mean.npy"), "--out-var", _temp.File("var.npy")];
        string[] full = resolved[0] switch
        {
            "predict" => [.. resolved, .. outputs[2..]],
            "kernel" => resolved,
            _ => resolved,
        };

        var (code, _, error) = CliRunner.Run(full);

        Assert.True(code == 2, $"{problem}: exit code {code}, stderr: {error}");
        string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"{problem}: expected one line, got: {error}");
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(mention, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_temp.Path, "mean.npy*"));
        Assert.Empty(Directory.GetFiles(_temp.Path, "var.npy*"));
        Assert.Empty(Directory.GetFiles(_temp.Path, "out.*"));
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.tmp", SearchOption.AllDirectories));
        Assert.Equal(_inputBytes, File.ReadAllBytes(_temp.File("x.npy"))); // no input overwritten
    }

    private static byte[] NpyBytes(string dtype, int count)
    {
        string header = $"{{'descr': '{dtype}', 'fortran_order': False, 'shape': ({count / 4}, 4), }}";
        header = header.PadRight(117) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.AddRange([1, 0, (byte)header.Length, 0]);
        bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(header));
        bytes.AddRange(new byte[count * 8]);
        return bytes.ToArray();
    }

    public void Dispose() => _temp.Dispose();
}
