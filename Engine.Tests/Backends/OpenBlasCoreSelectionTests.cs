using GpuNngp.Solvers;
using GpuNngp.Solvers.Host;
using Xunit;

namespace GpuNngp.Engine.Tests.Backends;

/// <summary>The OpenBLAS core GpuNngp asks for: SkylakeX on an AVX-512 CPU, never over the user's choice.</summary>
public sealed class OpenBlasCoreSelectionTests
{
    [Theory]
    [InlineData(null, true, "SkylakeX")]
    [InlineData("", true, "SkylakeX")]
    [InlineData(null, false, null)]
    [InlineData("Haswell", true, null)]
    [InlineData("Prescott", false, null)]
    public void Decide_AsksForSkylakeX_OnlyOnAnAvx512Cpu_AndOnlyWhenTheUserChoseNothing(string? user, bool avx512, string? expected) =>
        Assert.Equal(expected, OpenBlasCoreSelection.Decide(user, avx512));

    [Fact]
    public void TheNativeProvider_RunsTheKernelsItWasAskedFor()
    {
        var native = HostLinearAlgebra.Native(out string? reason);
        Assert.SkipWhen(native is null, $"no native BLAS/LAPACK: {reason}");
        Assert.SkipWhen(!native.Name.StartsWith("OpenBLAS", StringComparison.Ordinal), $"not OpenBLAS: {native.Name}");
        string? user = Environment.GetEnvironmentVariable(OpenBlasCoreSelection.Variable);
        string? asked = user is { Length: > 0 } ? user : OpenBlasCoreSelection.Chosen;
        Assert.SkipWhen(asked is null, "neither the user nor GpuNngp chose an OpenBLAS core on this CPU");

        // OpenBLAS names the core it runs in its configuration string, which the provider's name quotes
        // before " via " (what follows is GpuNngp's own note and proves nothing).
        string running = native.Name[..native.Name.IndexOf(" via ", StringComparison.Ordinal)];
        Assert.Contains(asked, running, StringComparison.OrdinalIgnoreCase);
    }
}
