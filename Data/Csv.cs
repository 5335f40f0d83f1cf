using System.Globalization;
using System.Text;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Data;

/// <summary>
/// Numeric CSV: comma-separated numbers in the invariant culture (a '.' decimal point whatever the
/// machine's locale), one example per line. A first line with no number in it is a header and is
/// skipped. Rows in error messages are 1-based data rows; when a header is present, the file line
/// is given too, so the user can find the row in an editor.
/// </summary>
public static class Csv
{
    /// <summary>Reads a numeric CSV file; every problem with it is an <see cref="NngpInputException"/>.</summary>
    public static Matrix<double> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw InputErrors.Error(path, "is a directory, not a CSV file");
        }

        return InputErrors.Guard(path, () =>
        {
            using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return Read(reader, path);
        });
    }

    /// <summary>Reads numeric CSV text; <paramref name="name"/> names the source in error messages.</summary>
    public static Matrix<double> Read(TextReader reader, string name)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return InputErrors.Guard(name, () => ReadCore(reader, name));
    }

    private static Matrix<double> ReadCore(TextReader reader, string name)
    {
        var rows = new List<double[]>();
        int line = 0;
        int blankSince = 0;
        bool header = false;
        string? text;
        while ((text = reader.ReadLine()) is not null)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                // Blank lines are fine at the end (editors add them); one followed by more data
                // is reported when that data arrives, because rows would silently shift.
                blankSince = blankSince == 0 ? line : blankSince;
                continue;
            }

            var cells = text.Split(',');
            if (line == 1 && rows.Count == 0 && cells.All(cell => !TryParse(cell, out _)))
            {
                header = true;
                continue;
            }

            int row = rows.Count + 1;
            string where = Where(row, line, header);
            if (blankSince != 0)
            {
                throw InputErrors.Error(name, $"line {blankSince} is blank, but data follows it ({where})");
            }

            if (rows.Count > 0 && cells.Length != rows[0].Length)
            {
                throw InputErrors.Error(name, $"{where} has {cells.Length} values, row 1 has {rows[0].Length}");
            }

            var values = new double[cells.Length];
            for (int c = 0; c < cells.Length; c++)
            {
                if (!TryParse(cells[c], out values[c]))
                {
                    var cell = cells[c].Trim();
                    var shown = cell.Length > 40 ? cell[..40] + "…" : cell;
                    throw InputErrors.Error(name, $"{where}, column {c + 1}: '{shown}' is not a number");
                }
            }

            rows.Add(values);
        }

        if (rows.Count == 0)
        {
            throw InputErrors.Error(name, header ? "no data rows after the header" : "file is empty");
        }

        int columns = rows[0].Length;
        var storage = new double[(long)rows.Count * columns];
        for (int r = 0; r < rows.Count; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                storage[(long)c * rows.Count + r] = rows[r][c];
            }
        }

        return Matrix<double>.Build.Dense(rows.Count, columns, storage);
    }

    private static string Where(int row, int line, bool header) =>
        header ? $"row {row} (line {line})" : $"row {row}";

    private static bool TryParse(string cell, out double value)
    {
        var span = cell.AsSpan().Trim();
        // Spreadsheets quote cells freely; a quoted number is still a number.
        if (span.Length >= 2 && span[0] == '"' && span[^1] == '"')
        {
            span = span[1..^1].Trim();
        }

        return double.TryParse(span, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Writes a matrix as CSV, atomically, every value in round-trip ("R") format.</summary>
    public static void Write(string path, Matrix<double> matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            Write(writer, matrix);
        });
    }

    /// <summary>Writes a vector as a one-column CSV, atomically.</summary>
    public static void WriteVector(string path, IReadOnlyList<double> vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            WriteVector(writer, vector);
        });
    }

    /// <summary>Writes a matrix as CSV text, one row per line, no header.</summary>
    public static void Write(TextWriter writer, Matrix<double> matrix)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(matrix);
        for (int r = 0; r < matrix.RowCount; r++)
        {
            for (int c = 0; c < matrix.ColumnCount; c++)
            {
                if (c > 0)
                {
                    writer.Write(',');
                }

                writer.Write(Format(matrix[r, c]));
            }

            writer.Write('\n');
        }
    }

    /// <summary>Writes a vector as CSV text, one value per line.</summary>
    public static void WriteVector(TextWriter writer, IReadOnlyList<double> vector)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(vector);
        for (int i = 0; i < vector.Count; i++)
        {
            writer.Write(Format(vector[i]));
            writer.Write('\n');
        }
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
