using System.Globalization;
using System.Text;
using GpuNngp.Engine.Computation;
using GpuNngp.Solvers.Distributed;

namespace GpuNngp.Engine.Distributed;

/// <summary>
/// This process's place in an MPI job: MPI initialised once (serialised threads) and finalised at
/// process exit, the rank and size of MPI_COMM_WORLD, and the few collectives the distributed
/// provider needs. Every collective starts with <see cref="Agree"/>, so that a rank that failed on its
/// own (an exception between two collectives) meets the others at their next collective instead of
/// leaving them waiting: all ranks then throw the same exception, worded by the lowest failing rank,
/// and rank 0 alone prints it. The GPU ranks may also start outside a launcher, as one rank in this
/// process without any MPI library (<see cref="Start"/>'s <c>aloneOutsideLauncher</c>): then every
/// collective is the identity it is on one rank.
/// </summary>
internal sealed unsafe class MpiSession
{
    private static readonly Lock Gate = new();
    private static MpiSession? _current;

    /// <summary>The key an agreed exception carries in <see cref="Exception.Data"/>: every rank holds it already.</summary>
    private const string AgreedKey = "GpuNngp.Distributed.Agreed";

    /// <summary>MPI's handles; null for a session alone in its process, without MPI.</summary>
    private readonly MpiNative.Handles? _handles;

    private MpiSession(MpiNative.Handles? handles, int rank, int size, string library)
    {
        _handles = handles;
        Rank = rank;
        Size = size;
        Library = library;
    }

    /// <summary>This process's rank in MPI_COMM_WORLD.</summary>
    public int Rank { get; }

    /// <summary>The number of ranks.</summary>
    public int Size { get; }

    /// <summary>The MPI library's own first line, e.g. "Open MPI v4.1.4, ...".</summary>
    public string Library { get; }

    /// <summary>The session started in this process, or null.</summary>
    public static MpiSession? Current
    {
        get
        {
            lock (Gate)
            {
                return _current;
            }
        }
    }

    /// <summary>This process's rank as its launcher (mpirun, or a PMI/PMIx launcher) announced it, before MPI starts; null outside one.</summary>
    public static int? LauncherRank =>
        (Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_RANK") ?? Environment.GetEnvironmentVariable("PMIX_RANK") ?? Environment.GetEnvironmentVariable("PMI_RANK")) is { } text
        && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int rank) ? rank : null;

    /// <summary>The <see cref="Library"/> of a session alone in its process.</summary>
    public const string Alone = "no MPI: one rank in this process";

    /// <summary>
    /// The session, started on the first call: MPI_Init_thread once per process, MPI_Finalize at its
    /// exit. Outside a launcher (no rank in the environment) it refuses in one line rather than start
    /// a lone singleton job that would look like a distributed one — unless <paramref name="aloneOutsideLauncher"/>
    /// (the GPU ranks: one GPU through cuSOLVERMp needs no MPI), when it is one rank without MPI.
    /// </summary>
    /// <exception cref="NngpDeviceException">Not started by mpirun, or Open MPI does not load.</exception>
    public static MpiSession Start(bool aloneOutsideLauncher = false)
    {
        lock (Gate)
        {
            if (_current is not null)
            {
                return _current;
            }

            if (LauncherRank is null && aloneOutsideLauncher)
            {
                _current = new MpiSession(null, 0, 1, Alone);
                return _current;
            }

            if (LauncherRank is null)
            {
                throw new NngpDeviceException(
                    "device = DeviceKind.Distributed runs only under an MPI launcher: start it as 'mpirun -np P nngp ...' (no OMPI_COMM_WORLD_RANK, PMIX_RANK or PMI_RANK is set)");
            }

            var handles = MpiNative.Handles.TryLoad(out string reason) ?? throw new NngpDeviceException($"device = DeviceKind.Distributed: {reason}");
            int initialised = 0, provided = 0, rank = 0, size = 0;
            MpiNative.Initialized(&initialised);
            if (initialised == 0)
            {
                MpiNative.InitThread(0, 0, MpiNative.ThreadSerialized, &provided);
                AppDomain.CurrentDomain.ProcessExit += (_, _) => Finish();
            }

            MpiNative.CommRank(handles.CommWorld, &rank);
            MpiNative.CommSize(handles.CommWorld, &size);
            _current = new MpiSession(handles, rank, size, LibraryVersion());
            return _current;
        }
    }

    private static string LibraryVersion()
    {
        byte* text = stackalloc byte[512];
        int length = 0;
        MpiNative.GetLibraryVersion(text, &length);
        string version = Encoding.UTF8.GetString(text, Math.Clamp(length, 0, 512)).Trim('\0');
        int end = version.IndexOfAny([',', '\n']);
        return end < 0 ? version.Trim() : version[..end].Trim();
    }

    private static void Finish()
    {
        int finalized = 0;
        MpiNative.Finalized(&finalized);
        if (finalized == 0)
        {
            MpiNative.Finalize();
        }
    }

    /// <summary>
    /// Every rank says whether it failed; when one did, all throw the failure of the lowest failing
    /// rank (its type kept, its message prefixed by "rank r: " where r is not 0), marked agreed.
    /// <paramref name="failure"/> is this rank's own, or null.
    /// </summary>
    public void Agree(Exception? failure)
    {
        if (failure is not null && IsAgreed(failure))
        {
            throw failure;
        }

        int failed = failure is null ? 0 : 1;
        AllreduceInt(ref failed, handles => handles.Max);
        if (failed == 0)
        {
            return;
        }

        int first = failure is null ? int.MaxValue : Rank;
        AllreduceInt(ref first, handles => handles.Min);
        byte[] message = first == Rank ? Encoding.UTF8.GetBytes($"{(char)('0' + (int)KindOf(failure!))}{Describe(failure!, first)}") : [];
        int length = message.Length;
        Bcast(&length, 1, handles => handles.Int, first);
        if (first != Rank)
        {
            message = new byte[length];
        }

        fixed (byte* bytes = message)
        {
            Bcast(bytes, length, handles => handles.Byte, first);
        }

        string text = Encoding.UTF8.GetString(message, 1, length - 1);
        Exception agreed = (FailureKind)(message[0] - '0') switch
        {
            FailureKind.Input => new NngpInputException(text),
            FailureKind.Numerical => new NngpNumericalException(text),
            _ => new NngpDeviceException(text),
        };
        agreed.Data[AgreedKey] = true;
        throw agreed;
    }

    /// <summary>True for an exception <see cref="Agree"/> threw: every rank holds it, none need agree again.</summary>
    public static bool IsAgreed(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure.Data[AgreedKey] is true;
    }

    private enum FailureKind
    {
        Input,
        Numerical,
        Device,
    }

    private static FailureKind KindOf(Exception failure) => failure switch
    {
        NngpInputException => FailureKind.Input,
        NngpNumericalException => FailureKind.Numerical,
        _ => FailureKind.Device,
    };

    private static string Describe(Exception failure, int rank)
    {
        string message = failure is NngpException ? failure.Message : $"{failure.GetType().Name}: {failure.Message}";
        message = message.ReplaceLineEndings(" ");
        return rank == 0 ? message : $"rank {rank.ToString(CultureInfo.InvariantCulture)}: {message}";
    }

    /// <summary>Element-wise sum over the ranks, in place (after <see cref="Agree"/>); pieces of 2²⁷ values.</summary>
    public void SumInPlace(Span<double> values)
    {
        Agree(null);
        fixed (double* start = values)
        {
            foreach (var (offset, length) in CopyPieces.Of(values.Length))
            {
                Allreduce(start + offset, length, handles => handles.Double, handles => handles.Sum);
            }
        }
    }

    /// <summary>
    /// Every rank's piece concatenated on every rank, in place (MPI_Allgatherv, after <see cref="Agree"/>):
    /// rank r's piece is <paramref name="counts"/>[r] values at <paramref name="offsets"/>[r] of
    /// <paramref name="values"/>, already there on rank r. A copy, not a sum: every rank ends with the same bits.
    /// </summary>
    public void GatherInPlace(Span<double> values, int[] counts, int[] offsets)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(offsets);
        Agree(null);
        if (_handles is null)
        {
            return; // one rank without MPI: its piece is the whole
        }

        fixed (double* start = values)
        fixed (int* c = counts, o = offsets)
        {
            MpiNative.Allgatherv(MpiNative.InPlace, 0, _handles.Double, start, c, o, _handles.Double, _handles.CommWorld);
        }
    }

    /// <summary>Rank 0's <paramref name="values"/> on every rank, in place (after <see cref="Agree"/>); pieces of 2²⁷ values.</summary>
    public void BroadcastInPlace(Span<double> values)
    {
        Agree(null);
        fixed (double* start = values)
        {
            foreach (var (offset, length) in CopyPieces.Of(values.Length))
            {
                Bcast(start + offset, length, handles => handles.Double, 0);
            }
        }
    }

    /// <summary>Refuses, on every rank alike, <paramref name="values"/> that are not the same bits on every rank (an FNV-1a hash compared).</summary>
    public void CheckSame(ReadOnlySpan<double> values, string what)
    {
        ulong hash = 14695981039346656037UL;
        foreach (double value in values)
        {
            hash = (hash ^ (ulong)BitConverter.DoubleToInt64Bits(value)) * 1099511628211UL;
        }

        long signed = unchecked((long)hash);
        if (Min(signed) != Max(signed))
        {
            throw new NngpInputException($"device = DeviceKind.Distributed: {what} differ between the ranks (every rank must read the same inputs)");
        }
    }

    /// <summary>The smallest of every rank's <paramref name="value"/> (after <see cref="Agree"/>).</summary>
    public long Min(long value)
    {
        Agree(null);
        Allreduce(&value, 1, handles => handles.Long, handles => handles.Min);
        return value;
    }

    /// <summary>The largest of every rank's <paramref name="value"/> (after <see cref="Agree"/>).</summary>
    public long Max(long value)
    {
        Agree(null);
        Allreduce(&value, 1, handles => handles.Long, handles => handles.Max);
        return value;
    }

    /// <summary>
    /// <paramref name="bytes"/> of rank <paramref name="root"/> on every rank (after <see cref="Agree"/>):
    /// the GPU ranks' NCCL unique id, made on rank 0.
    /// </summary>
    public void Broadcast(Span<byte> bytes, int root)
    {
        Agree(null);
        fixed (byte* start = bytes)
        {
            Bcast(start, bytes.Length, handles => handles.Byte, root);
        }
    }

    /// <summary>
    /// This process's rank among the ranks on its node, as the launcher announced it
    /// (OMPI_COMM_WORLD_LOCAL_RANK, MPI_LOCALRANKID, SLURM_LOCALID), or 0: the GPU rank's device is this
    /// modulo the node's devices.
    /// </summary>
    public static int LocalRank =>
        (Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_RANK") ?? Environment.GetEnvironmentVariable("MPI_LOCALRANKID") ?? Environment.GetEnvironmentVariable("SLURM_LOCALID")) is { } text
        && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int rank) ? rank : 0;

    /// <summary>Ends every rank of the job with <paramref name="code"/>: for a failure that the ranks cannot agree on.</summary>
    public void Abort(int code)
    {
        if (_handles is null)
        {
            Environment.Exit(code);
        }

        MpiNative.Abort(_handles.CommWorld, code);
    }

    /// <summary>MPI_Allreduce in place over MPI_COMM_WORLD; alone, the identity.</summary>
    private void Allreduce(void* values, int count, Func<MpiNative.Handles, nint> datatype, Func<MpiNative.Handles, nint> op)
    {
        if (_handles is not null)
        {
            MpiNative.Allreduce(MpiNative.InPlace, values, count, datatype(_handles), op(_handles), _handles.CommWorld);
        }
    }

    private void AllreduceInt(ref int value, Func<MpiNative.Handles, nint> op)
    {
        fixed (int* v = &value)
        {
            Allreduce(v, 1, handles => handles.Int, op);
        }
    }

    /// <summary>MPI_Bcast over MPI_COMM_WORLD; alone, the identity.</summary>
    private void Bcast(void* buffer, int count, Func<MpiNative.Handles, nint> datatype, int root)
    {
        if (_handles is not null)
        {
            MpiNative.Bcast(buffer, count, datatype(_handles), root, _handles.CommWorld);
        }
    }
}
