using System.Text.Json;
using GpuNngp.Engine.Data;

namespace GpuNngp.Cli.Output;

/// <summary>Machine-readable reports, written atomically so a failed run leaves no partial file.</summary>
internal static class JsonReport
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    public static void Write<T>(string path, T report) =>
        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, report, Options));
}
