using System.Globalization;
using GpuNngp.Engine.Architecture;
using GpuNngp.Engine.Computation;
using GpuNngp.Engine.Pipeline;
using GpuNngp.Solvers;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Engine.Persistence;

/// <summary>
/// The posterior file, format version 1 (docs/persistence.md has the table): a 20-byte header (the
/// magic "NNGPPOST", the format version, the payload's length), the payload (the fit's settings and
/// results, the network, X, Y, α and the lower triangle of the Cholesky factor, all little-endian,
/// doubles bit for bit) and the SHA-256 of everything before it. A loaded posterior predicts exactly
/// as the saved one on the same provider: X, α and L are the fit's own values, and what the test
/// tiles derive from the training side is either saved (the fused map's q⁰) or computed again from X
/// by the same code.
/// </summary>
internal static class PosteriorFormat
{
    /// <summary>The file's first 8 bytes.</summary>
    public static ReadOnlySpan<byte> Magic => "NNGPPOST"u8;

    /// <summary>The version this build writes and the only one it reads.</summary>
    public const int Version = 1;

    /// <summary>Magic, version, payload length.</summary>
    private const int HeaderBytes = 8 + sizeof(int) + sizeof(long);

    public static void Write(Stream stream, FittedModel model, Network network, string backend)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(model);
        NetworkCodec.CheckSavable(network);
        FitRequest request = model.Request;
        int n = request.X.RowCount, d = request.X.ColumnCount, c = request.Y.ColumnCount;
        double[] state = model.CrossState;

        // The metadata's length is known only once it is written: write it to memory first.
        using var metadata = new MemoryStream();
        using (var header = new ChecksummedWriter(metadata))
        {
            WriteMetadata(header, model, network, backend, n, d, c, state.Length);
        }

        long payload = metadata.Length + sizeof(double) * ArrayValues(n, d, c, state.Length);
        using var writer = new ChecksummedWriter(stream);
        writer.Bytes(Magic);
        writer.Int32(Version);
        writer.Int64(payload);
        writer.Bytes(metadata.GetBuffer().AsSpan(0, (int)metadata.Length));
        writer.Doubles(state);
        writer.Doubles(model.DownloadInputs());
        writer.Doubles(model.Targets);
        writer.Doubles(model.DownloadAlpha());
        int width = FittedModel.FactorBlockColumns(n);
        var block = new double[ColumnMajor.Count(n, width)];
        for (int first = 0; first < n; first += width)
        {
            int count = Math.Min(width, n - first);
            Span<double> columns = block.AsSpan(0, checked((int)ColumnMajor.Count(n, count)));
            model.DownloadFactorColumns(first, columns);
            for (int j = 0; j < count; j++)
            {
                int column = first + j;
                writer.Doubles(columns.Slice(j * n + column, n - column));
            }
        }

        writer.WriteChecksum();
    }

    private static void WriteMetadata(ChecksummedWriter writer, FittedModel model, Network network, string backend, int n, int d, int c, int stateLength)
    {
        FitRequest request = model.Request;
        writer.Int32((int)request.Kind);
        writer.Int32(request.QuadratureOrder);
        writer.Int32((int)request.Lookup);
        writer.Double(request.Jitter.InitialRelativeJitter);
        writer.Double(request.Jitter.MaxRelativeJitter);
        writer.Double(request.Jitter.Growth);
        writer.Double(request.Noise);
        writer.Double(model.Jitter);
        writer.Double(model.LogMarginalLikelihood);
        writer.Int32(n);
        writer.Int32(d);
        writer.Int32(c);
        writer.String(backend);
        NetworkCodec.Write(writer, network);
        writer.Int32(stateLength);
    }

    /// <summary>Doubles after the metadata: the source state, X, Y, α and the factor's lower triangle.</summary>
    private static long ArrayValues(long n, long d, long c, long state) => state + n * d + 2 * n * c + n * (n + 1) / 2;

    /// <summary>A posterior read back onto <paramref name="provider"/>, with its network and the backend it was fitted on.</summary>
    public static (FittedModel Model, Network Network, string FittedOn) Read(Stream stream, IComputeProvider provider)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(provider);
        using var reader = new ChecksummedReader(stream);
        long payload = ReadHeader(reader, stream);

        var kind = (KernelKind)reader.Int32();
        int quadratureOrder = reader.Int32();
        var lookup = (LookupTableMode)reader.Int32();
        var jitterPolicy = new JitterPolicy(reader.Double(), reader.Double(), reader.Double());
        double noise = reader.Double(), jitter = reader.Double(), logLikelihood = reader.Double();
        int n = reader.Int32(), d = reader.Int32(), c = reader.Int32();
        string fittedOn = reader.String("the backend's name");
        Network network = NetworkCodec.Read(reader);
        int stateLength = reader.Int32();
        if (!Enum.IsDefined(kind) || !Enum.IsDefined(lookup) || n < 1 || d < 1 || c < 1 || stateLength < 0 || !double.IsFinite(noise) || noise < 0)
        {
            throw ChecksummedReader.Corrupted(Invariant($"impossible settings (kernel {(int)kind}, lookup {(int)lookup}, N = {n}, d = {d}, C = {c}, noise {noise})"));
        }

        long expected = reader.Position - HeaderBytes + sizeof(double) * ArrayValues(n, d, c, stateLength);
        if (expected != payload)
        {
            throw ChecksummedReader.Corrupted(Invariant($"its header says {payload:N0} bytes of content but N = {n:N0}, d = {d:N0}, C = {c:N0} make {expected:N0}"));
        }

        LayerPlan plan;
        try
        {
            plan = LayerPlan.Compile(network);
            QuadratureRules.Get(quadratureOrder);
            jitterPolicy.Validate();
        }
        catch (NngpInputException e)
        {
            throw ChecksummedReader.Corrupted($"its settings are not valid: {e.Message}");
        }

        MemoryPlan.CheckFit(provider.Memory, provider.AvailableBytes(), n, d, c, plan.Depth);
        double[] state = reader.Doubles(stateLength);
        var x = Matrix<double>.Build.Dense(n, d, reader.Doubles(ColumnMajor.Count(n, d)));
        var y = Matrix<double>.Build.Dense(n, c, reader.Doubles(ColumnMajor.Count(n, c)));
        double[] alpha = reader.Doubles(ColumnMajor.Count(n, c));
        var request = new FitRequest(plan, x, y, new FitOptions { Kind = kind, Noise = noise, Jitter = jitterPolicy, QuadratureOrder = quadratureOrder, Lookup = lookup });
        FittedModel model = FittedModel.Restore(provider, request, new SavedFit(alpha, state, jitter, logLikelihood), (first, count, columns) =>
        {
            for (int j = 0; j < count; j++)
            {
                int column = first + j;
                Span<double> whole = columns.Slice(j * n, n);
                whole[..column].Clear();
                reader.Doubles(whole[column..]);
            }
        });
        try
        {
            reader.VerifyChecksum();
            return (model, network, fittedOn);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The magic, the version and the payload's length, each refused in one line; checks a seekable stream's length against it.</summary>
    private static long ReadHeader(ChecksummedReader reader, Stream stream)
    {
        Span<byte> magic = stackalloc byte[Magic.Length];
        int read = stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        if (read < magic.Length || !magic.SequenceEqual(Magic))
        {
            throw new NngpInputException("not a GpuNngp posterior file: it does not begin with \"NNGPPOST\"");
        }

        // The magic is hashed too: the checksum covers every byte before it.
        reader.Absorb(magic);
        int version = reader.Int32();
        if (version != Version)
        {
            throw new NngpInputException(Invariant($"the posterior file has format version {version}; this GpuNngp reads version {Version} only"));
        }

        long payload = reader.Int64();
        if (payload < 0)
        {
            throw ChecksummedReader.Corrupted(Invariant($"its header gives a content length of {payload}"));
        }

        reader.ExpectedLength = HeaderBytes + payload + 32;
        if (stream.CanSeek && stream.Length - stream.Position < payload + 32)
        {
            throw reader.Truncated(reader.Position + stream.Length - stream.Position);
        }

        return payload;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
