using GpuNngp.Engine.Gpu;
using Xunit;

namespace GpuNngp.Engine.Tests.Gpu;

/// <summary>Whether this machine has a usable GPU, decided once per test run, and the reason when not.</summary>
internal static class GpuTestSupport
{
    private static readonly Lazy<string?> Unavailable = new(() =>
    {
        if (!GpuProvider.TryCreate(out var backend, out string reason))
        {
            return reason;
        }

        backend.Dispose();
        return null;
    });

    /// <summary>Null where a GPU is usable; otherwise GpuProvider.TryCreate's one-line reason.</summary>
    public static string? UnavailableReason => Unavailable.Value;

    /// <summary>Skips the calling test, with the reason, where no GPU is usable.</summary>
    public static void SkipUnlessAvailable()
    {
        if (UnavailableReason is { } reason)
        {
            Assert.Skip($"no usable GPU: {reason}");
        }
    }

    /// <summary>An engine on the GPU (the test is skipped where there is none).</summary>
    public static NngpEngine CreateGpuEngine()
    {
        SkipUnlessAvailable();
        return NngpEngine.Create(DeviceKind.Gpu);
    }
}

/// <summary>One GPU engine shared by the cases of a test class (they run one after another), so the kernels compile once.</summary>
public sealed class GpuEngineFixture : IDisposable
{
    private NngpEngine? _engine;

    /// <summary>The shared engine; skips the calling test where no GPU is usable.</summary>
    public NngpEngine Engine
    {
        get
        {
            GpuTestSupport.SkipUnlessAvailable();
            return _engine ??= NngpEngine.Create(DeviceKind.Gpu);
        }
    }

    public void Dispose() => _engine?.Dispose();
}
