using System.Buffers.Binary;
using System.Security.Cryptography;
using GpuNngp.Data;
using GpuNngp.Engine.Tests.Backends;
using GpuNngp.Solvers;
using Xunit;

namespace GpuNngp.Engine.Tests.Persistence;

/// <summary>
/// Every way a posterior file can be wrong is refused before a posterior exists, in one line: not a
/// posterior file, another format version, truncated anywhere, corrupted anywhere (the checksum, or a
/// value that cannot be), too large for the engine; and what cannot be saved is refused before a byte
/// is written. The file's layout is the one docs/persistence.md states.
/// </summary>
public sealed class PosteriorFileRefusalTests : IDisposable
{
    private readonly NngpEngine _engine = NngpEngine.Create(DeviceKind.Cpu);
    private readonly TempDirectory _temp = new();
    private readonly byte[] _file;
    private readonly int _n;

    public PosteriorFileRefusalTests()
    {
        var x = BackendContractTests.RandomMatrix(9, 3, seed: 51);
        _n = x.RowCount;
        using var posterior = _engine.Fit(Nngp.FullyConnected(2, Nngp.Relu(), 1.5, 0.1), x, BackendContractTests.RandomMatrix(9, 2, seed: 52), new FitOptions { Noise = 0.1 }, TestContext.Current.CancellationToken);
        using var stream = new MemoryStream();
        posterior.Save(stream);
        _file = stream.ToArray();
    }

    [Fact]
    public void File_HasTheDocumentedLayout()
    {
        Assert.Equal("NNGPPOST"u8.ToArray(), _file[..8]);
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(_file.AsSpan(8)));
        long payload = BinaryPrimitives.ReadInt64LittleEndian(_file.AsSpan(12));
        Assert.Equal(20 + payload + 32, _file.Length);
        Assert.Equal(SHA256.HashData(_file.AsSpan(0, _file.Length - 32)), _file[^32..]);

        // The factor's lower triangle ends the payload: its last value is L[N−1, N−1] > 0.
        double last = BinaryPrimitives.ReadDoubleLittleEndian(_file.AsSpan(_file.Length - 32 - 8));
        Assert.True(last > 0, $"last factor entry {last}");
        Assert.True(payload > 8 * (_n * (_n + 1) / 2), "the payload holds the factor's lower triangle");
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 0x76, 0 })]
    [InlineData(new byte[] { (byte)'N', (byte)'N', (byte)'G', (byte)'P' })]
    public void NotAPosteriorFile_IsRefused(byte[] bytes) =>
        AssertRefused(bytes, "not a GpuNngp posterior file");

    [Fact]
    public void AnotherFormatVersion_IsRefused()
    {
        byte[] bytes = [.. _file];
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), 2);
        AssertRefused(bytes, "format version 2; this GpuNngp reads version 1 only");
    }

    [Theory]
    [InlineData(10)]
    [InlineData(20)]
    [InlineData(60)]
    [InlineData(-40)]
    [InlineData(-32)]
    [InlineData(-1)]
    public void TruncatedFile_IsRefused_OnASeekableAndOnAForwardOnlyStream(int cut)
    {
        byte[] bytes = _file[..(cut >= 0 ? cut : _file.Length + cut)];
        AssertRefused(bytes, "truncated");
        using var forward = new ForwardOnlyStream(bytes);
        var e = Assert.Throws<NngpInputException>(() => _engine.LoadPosterior(forward));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-33)] // the factor's last value
    [InlineData(-200)]
    [InlineData(60)] // in the settings
    [InlineData(-1)] // in the checksum itself
    public void CorruptedByte_IsRefused(int at)
    {
        byte[] bytes = [.. _file];
        bytes[at >= 0 ? at : bytes.Length + at] ^= 0x10;
        AssertRefused(bytes, "the posterior file is corrupted");
    }

    [Fact]
    public void HeaderLengthThatDisagreesWithTheContent_IsRefusedAsCorrupted()
    {
        byte[] bytes = [.. _file, .. new byte[16]];
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(12), BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(12)) + 16);
        AssertRefused(bytes, "corrupted: its header says");
    }

    [Fact]
    public void PosteriorLargerThanTheEngineMemory_IsRefused()
    {
        using var small = NngpEngine.Create(DeviceKind.Cpu, HostLinearAlgebra.Managed, () => 1L << 20);
        using var stream = new MemoryStream(_file);
        var e = Assert.Throws<NngpInputException>(() => small.LoadPosterior(stream));
        Assert.Contains("need", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PosteriorFile_NamesThePath_AndAMissingFile()
    {
        string path = _temp.File("model.nngp");
        File.WriteAllBytes(path, _file[..100]);
        var truncated = Assert.Throws<NngpInputException>(() => PosteriorFile.Load(_engine, path));
        Assert.StartsWith(path + ": the posterior file is truncated", truncated.Message, StringComparison.Ordinal);

        var missing = Assert.Throws<NngpInputException>(() => PosteriorFile.Load(_engine, _temp.File("absent.nngp")));
        Assert.Contains("absent.nngp: file not found", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PosteriorFile_RoundTrips_AndReplacesTheTargetWhole()
    {
        string path = _temp.File("model.nngp");
        File.WriteAllText(path, "an older file");
        using var stream = new MemoryStream(_file);
        using var posterior = _engine.LoadPosterior(stream);

        PosteriorFile.Save(posterior, path);

        Assert.Equal(_file.Length, new FileInfo(path).Length);
        using var loaded = PosteriorFile.Load(_engine, path);
        Assert.Equal(posterior.LogMarginalLikelihood, loaded.LogMarginalLikelihood);
        Assert.Single(Directory.GetFiles(_temp.Path));
    }

    [Fact]
    public void CustomActivation_IsRefusedBeforeAnythingIsWritten()
    {
        var network = Nngp.FullyConnected(1, Nngp.Custom("cube", v => v * v * v), 1.2, 0.1);
        using var posterior = _engine.Fit(network, BackendContractTests.RandomMatrix(6, 2, seed: 53), BackendContractTests.RandomMatrix(6, 1, seed: 54), new FitOptions { Noise = 0.1 }, TestContext.Current.CancellationToken);
        using var stream = new MemoryStream();

        var e = Assert.Throws<NngpInputException>(() => posterior.Save(stream));
        var file = Assert.Throws<NngpInputException>(() => PosteriorFile.Save(posterior, _temp.File("custom.nngp")));

        Assert.Contains("custom activation 'cube' cannot be saved", e.Message, StringComparison.Ordinal);
        Assert.Equal(e.Message, file.Message);
        Assert.Equal(0, stream.Length);
        Assert.Empty(Directory.GetFiles(_temp.Path, "*", SearchOption.AllDirectories));
    }

    private void AssertRefused(byte[] bytes, string mention)
    {
        using var stream = new MemoryStream(bytes);
        var e = Assert.Throws<NngpInputException>(() => _engine.LoadPosterior(stream));
        Assert.Contains(mention, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    public void Dispose()
    {
        _engine.Dispose();
        _temp.Dispose();
    }

    /// <summary>A stream that cannot seek (a pipe, a socket): truncation shows only when it ends.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}
