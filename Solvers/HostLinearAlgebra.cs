using GpuNngp.Solvers.Host;

namespace GpuNngp.Solvers;

/// <summary>Chooses the host provider: native BLAS/LAPACK when it loads, the managed one otherwise.</summary>
internal static class HostLinearAlgebra
{
    /// <summary>Set to "managed" to skip the native libraries (used to compare the two paths).</summary>
    public const string ProviderVariable = "GPUNNGP_HOST_BLAS";

    private static readonly Lazy<IHostLinearAlgebra> DefaultProvider = new(Choose);

    /// <summary>The provider every CPU computation uses unless told otherwise.</summary>
    public static IHostLinearAlgebra Default => DefaultProvider.Value;

    /// <summary>The native provider, or null with the reason it is not available.</summary>
    public static IHostLinearAlgebra? Native(out string? reason) => NativeLinearAlgebra.TryCreate(out reason);

    public static IHostLinearAlgebra Managed { get; } = new ManagedLinearAlgebra();

    private static IHostLinearAlgebra Choose()
    {
        string? setting = Environment.GetEnvironmentVariable(ProviderVariable);
        if (string.Equals(setting, "managed", StringComparison.OrdinalIgnoreCase))
        {
            return Managed;
        }

        return Native(out _) ?? Managed;
    }
}
