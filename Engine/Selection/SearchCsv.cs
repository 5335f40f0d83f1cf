using System.Globalization;

namespace GpuNngp.Engine.Selection;

/// <summary>
/// The search's CSV: one row per finished grid point, appended and flushed as each finishes, so an
/// interrupted search leaves a valid prefix that <c>--resume</c> continues. No timings in it: a resumed
/// search then writes the same file as an uninterrupted one.
/// </summary>
public static class SearchCsv
{
    public const string Header = "depth,weight_variance,bias_variance,noise,log_marginal_likelihood,validation_accuracy,jitter,failure";

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
    public static List<SearchResult> Read(string path)
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

        if (lines.Length == 0 || lines[0] != Header)
        {
            throw new NngpInputException($"{path}: not a search CSV (its first line is not '{Header}')");
        }

        var results = new List<SearchResult>();
        for (int i = 1; i < lines.Length; i++)
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

        return results;
    }

    /// <summary>Rewrites the file with exactly <paramref name="results"/> (dropping a cut-off last line), atomically.</summary>
    public static void Rewrite(string path, IEnumerable<SearchResult> results) =>
        Data.AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            writer.NewLine = "\n";
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
