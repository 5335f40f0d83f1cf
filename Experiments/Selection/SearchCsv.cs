using System.Globalization;
using GpuNngp.Data;

namespace GpuNngp.Experiments.Selection;

/// <summary>
/// The search's CSV: one row per finished grid point, appended and flushed as each finishes, so an
/// interrupted search leaves a valid prefix that <c>--resume</c> continues. No timings in it: a resumed
/// search then writes the same file as an uninterrupted one.
/// </summary>
public static class SearchCsv
{
    public const string Header = "depth,weight_variance,bias_variance,noise,log_marginal_likelihood,validation_accuracy,jitter,failure";

    /// <summary>
    /// The first line of a file written with its settings: "# nngp search: dataset=…; train_size=…; …".
    /// A resumed search must have the same ones, or its old rows would be reported as the new experiment.
    /// </summary>
    public const string SettingsPrefix = "# nngp search: ";

    /// <summary>The settings that decide a point's scores (the grid is checked point by point; the device does not matter).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Settings(SearchSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string dataset = Directory.Exists(settings.Dataset) ? Path.GetFullPath(settings.Dataset) : settings.Dataset;
        bool byLikelihood = settings.Score == SearchScore.LogMarginalLikelihood;
        KeyValuePair<string, string>[] data = settings.TrainInputs is { } inputs
            ? [new("train_x", Path.GetFullPath(inputs)), new("train_y", settings.TrainTargets is { } targets ? Path.GetFullPath(targets) : "none")]
            :
            [
                new("dataset", dataset),
                new("train_size", settings.TrainSize.ToString(CultureInfo.InvariantCulture)),
                new("validation_size", byLikelihood ? "none" : settings.ValidationSize.ToString(CultureInfo.InvariantCulture)),
                new("split", (settings.Split ?? DataSplit.DefaultSplit(settings.Dataset)).ToString().ToLowerInvariant()),
            ];

        // Written only for the likelihood score, so that files of accuracy searches written before
        // the score existed still resume.
        KeyValuePair<string, string>[] score = byLikelihood ? [new("score", "lml")] : [];

        // Written only for FP32, so that FP64 files written before the option existed still resume.
        KeyValuePair<string, string>[] precision = settings.Precision == KernelPrecision.Single ? [new("precision", "fp32")] : [];
        return
        [
            .. data,
            .. score,
            .. precision,
            settings.Network is { } network ? new("net", network.ToString()) : new("activation", settings.Activation.ToLowerInvariant()),
            new("kernel", settings.Kind.ToString().ToLowerInvariant()),

            // The rule behind activations without a closed form: a search resumed after the default
            // changes (Gauss–Hermite 64 until 2026-12) would otherwise mix points of two rules.
            new("quadrature", "graded-gauss-legendre"),
        ];
    }

    /// <summary>
    /// Refuses to resume a file written with other settings, naming the first that differs. A file
    /// without a settings line (written before they were recorded) is accepted as it is.
    /// </summary>
    public static void CheckSettings(string path, IReadOnlyDictionary<string, string>? recorded, IReadOnlyList<KeyValuePair<string, string>> current)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (recorded is null)
        {
            return;
        }

        foreach (var (key, value) in current)
        {
            string written = recorded.TryGetValue(key, out var v) ? v : "(not recorded)";
            if (written != value)
            {
                throw new NngpInputException($"{path} was written with {key} = {written}, not {value}: resume with the settings of the run that wrote it, or name another file");
            }
        }
    }

    public static string Format(SearchResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var c = CultureInfo.InvariantCulture;
        var p = result.Point;
        return string.Join(',',
            p.Depth.ToString(c), p.WeightVariance.ToString("R", c), p.BiasVariance.ToString("R", c), p.Noise.ToString("R", c),
            result.LogMarginalLikelihood.ToString("R", c), result.ValidationAccuracy.ToString("R", c), result.Jitter.ToString("R", c),
            (result.Failure ?? "").Replace(',', ';'));
    }

    /// <summary>
    /// The rows of an existing file. A last line cut short by an interruption is dropped (it is
    /// recomputed); any other malformed line is an error naming it.
    /// </summary>
    public static List<SearchResult> Read(string path) => ReadFile(path).Results;

    /// <summary>As <see cref="Read"/>, with the settings line (null when the file has none).</summary>
    public static (IReadOnlyDictionary<string, string>? Settings, List<SearchResult> Results) ReadFile(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (IOException e)
        {
            throw new NngpInputException($"{path}: cannot read the search CSV to resume ({e.Message})", e);
        }

        Dictionary<string, string>? settings = null;
        int headerLine = 0;
        if (lines.Length > 0 && lines[0].StartsWith(SettingsPrefix, StringComparison.Ordinal))
        {
            settings = ParseSettings(path, lines[0]);
            headerLine = 1;
        }

        if (lines.Length <= headerLine || lines[headerLine] != Header)
        {
            throw new NngpInputException($"{path}: not a search CSV (it does not begin with the line '{Header}')");
        }

        var results = new List<SearchResult>();
        for (int i = headerLine + 1; i < lines.Length; i++)
        {
            bool last = i == lines.Length - 1;
            if (TryParse(lines[i], out var result))
            {
                results.Add(result);
            }
            else if (!last)
            {
                throw new NngpInputException($"{path}: line {i + 1} is not a search result: '{lines[i]}'");
            }
        }

        return (settings, results);
    }

    private static Dictionary<string, string> ParseSettings(string path, string line)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in line[SettingsPrefix.Length..].Split("; ", StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !settings.TryAdd(pair[..equals], pair[(equals + 1)..]))
            {
                throw new NngpInputException($"{path}: its settings line is malformed at '{pair}'");
            }
        }

        return settings;
    }

    /// <summary>Rewrites the file with exactly <paramref name="results"/> (dropping a cut-off last line), atomically.</summary>
    /// <param name="settings">written as the first line when given (<see cref="Settings"/>).</param>
    public static void Rewrite(string path, IEnumerable<SearchResult> results, IReadOnlyList<KeyValuePair<string, string>>? settings = null) =>
        Data.AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            writer.NewLine = "\n";
            if (settings is not null)
            {
                writer.WriteLine(SettingsPrefix + string.Join("; ", settings.Select(s => $"{s.Key}={s.Value}")));
            }

            writer.WriteLine(Header);
            foreach (var result in results)
            {
                writer.WriteLine(Format(result));
            }
        });

    private static bool TryParse(string line, out SearchResult result)
    {
        result = null!;
        string[] cells = line.Split(',');
        var c = CultureInfo.InvariantCulture;
        if (cells.Length != 8
            || !int.TryParse(cells[0], NumberStyles.Integer, c, out int depth)
            || !double.TryParse(cells[1], NumberStyles.Float, c, out double weight)
            || !double.TryParse(cells[2], NumberStyles.Float, c, out double bias)
            || !double.TryParse(cells[3], NumberStyles.Float, c, out double noise)
            || !double.TryParse(cells[4], NumberStyles.Float, c, out double logLikelihood)
            || !double.TryParse(cells[5], NumberStyles.Float, c, out double accuracy)
            || !double.TryParse(cells[6], NumberStyles.Float, c, out double jitter))
        {
            return false;
        }

        result = new SearchResult(new SearchPoint(depth, weight, bias, noise), logLikelihood, accuracy, jitter, cells[7].Length == 0 ? null : cells[7]);
        return true;
    }
}
