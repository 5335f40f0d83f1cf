using System.Text.Json;
using System.Text.Json.Serialization;
using GpuNngp.Data;

namespace GpuNngp.Cli.Output;

/// <summary>Machine-readable reports, written atomically so a failed run leaves no partial file.</summary>
internal static class JsonReport
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new UndefinedAsNull() },
    };

    public static void Write<T>(string path, T report) =>
        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, report, Options));

    /// <summary>JSON has no NaN: an undefined figure (the correlation of one test point) is written as null.</summary>
    private sealed class UndefinedAsNull : JsonConverter<double>
    {
        public override bool HandleNull => true;

        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value))
            {
                writer.WriteNumberValue(value);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }
}
