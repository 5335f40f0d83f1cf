using System.Text.Json;
using System.Text.Json.Serialization;

namespace GpuNngp.Perf;

/// <summary>One card's vendor peaks (gpu-peaks.json).</summary>
public sealed record GpuPeaks
{
    [JsonPropertyName("card")]
    public required string Card { get; init; }

    [JsonPropertyName("match")]
    public required IReadOnlyList<string> Match { get; init; }

    [JsonPropertyName("fp64_tflops")]
    public double Fp64Tflops { get; init; }

    [JsonPropertyName("fp64_tensor_tflops")]
    public double? Fp64TensorTflops { get; init; }

    [JsonPropertyName("memory_gbs")]
    public double MemoryGBs { get; init; }

    [JsonPropertyName("memory_gb")]
    public double MemoryGB { get; init; }

    [JsonPropertyName("host_link_gbs")]
    public double HostLinkGBs { get; init; }

    /// <summary>The peak a stage's rate is compared with, in the stage's unit (GFLOP/s or GB/s), and its name.</summary>
    public (double Peak, string Name) For(PeakKind kind) => kind switch
    {
        PeakKind.Fp64 when Fp64TensorTflops is { } tensor => (tensor * 1000, "FP64 tensor"),
        PeakKind.Fp64 => (Fp64Tflops * 1000, "FP64"),
        PeakKind.Memory => (MemoryGBs, "memory bandwidth"),
        PeakKind.HostLink => (HostLinkGBs, "host link"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The table shipped with the harness.</summary>
    public static IReadOnlyList<GpuPeaks> Table { get; } = Load();

    /// <summary>The card whose tokens all occur in <paramref name="gpuName"/> (e.g. "GPU NVIDIA H100 80GB HBM3 (CC 9.0, ...)"), or null.</summary>
    public static GpuPeaks? Find(string gpuName)
    {
        ArgumentNullException.ThrowIfNull(gpuName);
        return Table.FirstOrDefault(card => card.Match.All(token => gpuName.Contains(token, StringComparison.OrdinalIgnoreCase)));
    }

    private static List<GpuPeaks> Load()
    {
        using var stream = typeof(GpuPeaks).Assembly.GetManifestResourceStream("GpuNngp.Perf.gpu-peaks.json")
            ?? throw new InvalidOperationException("the embedded gpu-peaks.json is missing");
        using var document = JsonDocument.Parse(stream);
        return document.RootElement.GetProperty("cards").Deserialize<List<GpuPeaks>>()
            ?? throw new InvalidOperationException("gpu-peaks.json has no cards");
    }
}
