using System.Runtime.InteropServices;

namespace GpuNngp.Solvers.Distributed;

/// <summary>
/// The MPI entry points of Open MPI's libmpi.so.40 that the distributed provider uses. Open MPI's
/// handles are pointers to exported structures (MPI_COMM_WORLD is <c>&amp;ompi_mpi_comm_world</c>):
/// <see cref="Handles"/> looks them up once by name. Every call returns MPI_SUCCESS (0) or aborts the
/// job under the default error handler (MPI_ERRORS_ARE_FATAL).
/// </summary>
internal static unsafe partial class MpiNative
{
    /// <summary>Debian's Open MPI 4.x soname.</summary>
    public const string Library = "libmpi.so.40";

    /// <summary>MPI_THREAD_SERIALIZED in Open MPI: any thread may call MPI, one at a time.</summary>
    public const int ThreadSerialized = 2;

    /// <summary>MPI_IN_PLACE in Open MPI: <c>(void *) 1</c>.</summary>
    public static readonly nint InPlace = 1;

    [LibraryImport(Library, EntryPoint = "MPI_Initialized")]
    public static partial int Initialized(int* flag);

    [LibraryImport(Library, EntryPoint = "MPI_Finalized")]
    public static partial int Finalized(int* flag);

    [LibraryImport(Library, EntryPoint = "MPI_Init_thread")]
    public static partial int InitThread(nint argc, nint argv, int required, int* provided);

    [LibraryImport(Library, EntryPoint = "MPI_Finalize")]
    public static partial int Finalize();

    [LibraryImport(Library, EntryPoint = "MPI_Comm_rank")]
    public static partial int CommRank(nint comm, int* rank);

    [LibraryImport(Library, EntryPoint = "MPI_Comm_size")]
    public static partial int CommSize(nint comm, int* size);

    [LibraryImport(Library, EntryPoint = "MPI_Allreduce")]
    public static partial int Allreduce(nint sendBuffer, void* receiveBuffer, int count, nint datatype, nint op, nint comm);

    [LibraryImport(Library, EntryPoint = "MPI_Bcast")]
    public static partial int Bcast(void* buffer, int count, nint datatype, int root, nint comm);

    [LibraryImport(Library, EntryPoint = "MPI_Allgatherv")]
    public static partial int Allgatherv(nint sendBuffer, int sendCount, nint sendType, void* receiveBuffer, int* receiveCounts, int* displacements, nint receiveType, nint comm);

    [LibraryImport(Library, EntryPoint = "MPI_Barrier")]
    public static partial int Barrier(nint comm);

    [LibraryImport(Library, EntryPoint = "MPI_Abort")]
    public static partial int Abort(nint comm, int errorCode);

    [LibraryImport(Library, EntryPoint = "MPI_Get_library_version")]
    public static partial int GetLibraryVersion(byte* version, int* length);

    /// <summary>The predefined handles, by the addresses of Open MPI's exported objects.</summary>
    public sealed class Handles
    {
        private Handles(nint library)
        {
            CommWorld = NativeLibrary.GetExport(library, "ompi_mpi_comm_world");
            Double = NativeLibrary.GetExport(library, "ompi_mpi_double");
            Long = NativeLibrary.GetExport(library, "ompi_mpi_long");
            Int = NativeLibrary.GetExport(library, "ompi_mpi_int");
            Byte = NativeLibrary.GetExport(library, "ompi_mpi_byte");
            Sum = NativeLibrary.GetExport(library, "ompi_mpi_op_sum");
            Max = NativeLibrary.GetExport(library, "ompi_mpi_op_max");
            Min = NativeLibrary.GetExport(library, "ompi_mpi_op_min");
        }

        public nint CommWorld { get; }

        public nint Double { get; }

        /// <summary>MPI_LONG: a C long, 64 bits on Linux x86-64.</summary>
        public nint Long { get; }

        public nint Int { get; }

        public nint Byte { get; }

        public nint Sum { get; }

        public nint Max { get; }

        public nint Min { get; }

        /// <summary>Loads libmpi and its handles; null with <paramref name="reason"/> where it does not load.</summary>
        public static Handles? TryLoad(out string reason)
        {
            if (!NativeLibrary.TryLoad(Library, out nint library))
            {
                reason = $"{Library} (Open MPI 4) does not load: install Open MPI (apt-get install openmpi-bin libscalapack-openmpi-dev)";
                return null;
            }

            try
            {
                reason = "";
                return new Handles(library);
            }
            catch (EntryPointNotFoundException e)
            {
                reason = $"{Library} is not Open MPI's (no {e.Message}): the distributed provider binds Open MPI 4";
                return null;
            }
        }
    }
}
