using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Data;

/// <summary>
/// The one entry point for matrices the user hands in or gets back, with the format chosen by the
/// file's extension. Reading also validates: an empty matrix or a NaN/∞ would otherwise surface
/// much later as a failed Cholesky factorisation or a NaN accuracy, far from the file that caused it.
/// </summary>
public static class MatrixFile
{
    private const string ReadFormats = ".npy, .csv or IDX (.idx, *-ubyte, optionally .gz)";
    private const string WriteFormats = ".npy or .csv";

    /// <summary>
    /// Reads a matrix (N rows = examples × d columns) from .npy, .csv or an IDX file (whose first
    /// dimension becomes the rows and the rest are flattened into the columns). A 1-D array is an
    /// N×1 column. Throws <see cref="NngpInputException"/> for a missing, malformed, empty or
    /// non-finite file.
    /// </summary>
    public static Matrix<double> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var format = FormatOf(path);
        if (format == Format.Unknown)
        {
            throw InputErrors.Error(path, $"unrecognised file type '{Path.GetExtension(path)}' (use {ReadFormats})");
        }

        if (Directory.Exists(path))
        {
            throw InputErrors.Error(path, "is a directory, not a file");
        }

        if (!File.Exists(path))
        {
            throw InputErrors.Error(path, "file not found");
        }

        var matrix = format switch
        {
            Format.Npy => NpyReader.Read(path),
            Format.Csv => Csv.Read(path),
            _ => IdxReader.Read(path).ToMatrix(),
        };

        Validate(matrix, path);
        return matrix;
    }

    /// <summary>
    /// Fails early, before any work, when <paramref name="path"/> cannot be written as a result:
    /// an extension other than .npy/.csv, or a directory that does not exist.
    /// </summary>
    public static void CheckWritableExtension(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (FormatOf(path) is not (Format.Npy or Format.Csv))
        {
            throw InputErrors.Error(path, $"cannot write file type '{Path.GetExtension(path)}' (use {WriteFormats})");
        }

        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null && !Directory.Exists(directory))
        {
            throw InputErrors.Error(path, $"directory {directory} does not exist");
        }
    }

    /// <summary>Writes a matrix as .npy (float64, C order) or .csv, atomically.</summary>
    public static void Write(string path, Matrix<double> matrix)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(matrix);
        switch (FormatOf(path))
        {
            case Format.Npy:
                NpyWriter.Write(path, matrix);
                break;
            case Format.Csv:
                Csv.Write(path, matrix);
                break;
            default:
                throw InputErrors.Error(path, $"cannot write file type '{Path.GetExtension(path)}' (use {WriteFormats})");
        }
    }

    /// <summary>
    /// Writes a native host matrix (<see cref="NngpEngine.HostKernel"/>'s result) atomically: as .npy
    /// at any size, streamed a column at a time in Fortran order; as .csv where a MathNet matrix can
    /// hold it (CSV of more than 2^31 values is refused: use .npy).
    /// </summary>
    public static void Write(string path, HostMatrix matrix)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(matrix);
        var format = FormatOf(path);
        if (format == Format.Npy)
        {
            NpyWriter.Write(path, matrix);
            return;
        }

        if (format == Format.Csv && !matrix.FitsManagedMatrix)
        {
            throw InputErrors.Error(path, $"a {matrix.RowCount:N0}×{matrix.ColumnCount:N0} matrix is too large for .csv; write it as .npy");
        }

        CheckWritableExtension(path);
        Write(path, matrix.ToMatrix());
    }

    /// <summary>Writes a vector as a 1-D .npy array of shape (N,) or a one-column .csv, atomically.</summary>
    public static void WriteVector(string path, IReadOnlyList<double> vector)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(vector);
        switch (FormatOf(path))
        {
            case Format.Npy:
                NpyWriter.WriteVector(path, vector);
                break;
            case Format.Csv:
                Csv.WriteVector(path, vector);
                break;
            default:
                throw InputErrors.Error(path, $"cannot write file type '{Path.GetExtension(path)}' (use {WriteFormats})");
        }
    }

    /// <summary>
    /// Throws <see cref="NngpInputException"/> naming <paramref name="name"/> and the first
    /// (1-based) row and column of a NaN or infinite value, or if the matrix is empty.
    /// </summary>
    public static void Validate(Matrix<double> matrix, string name)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (matrix.RowCount == 0 || matrix.ColumnCount == 0)
        {
            throw InputErrors.Error(name, $"matrix is empty ({matrix.RowCount}×{matrix.ColumnCount})");
        }

        // A sequential scan of the storage finds out cheaply whether there is anything to report;
        // only then is the row-major order searched, so "first" means what a reader of the file
        // would call first.
        var storage = matrix.AsColumnMajorArray();
        if (storage is not null && AllFinite(storage))
        {
            return;
        }

        for (int r = 0; r < matrix.RowCount; r++)
        {
            for (int c = 0; c < matrix.ColumnCount; c++)
            {
                double value = matrix[r, c];
                if (!double.IsFinite(value))
                {
                    var what = double.IsNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";
                    throw InputErrors.Error(name, $"row {r + 1}, column {c + 1} is {what} (all values must be finite)");
                }
            }
        }
    }

    private static bool AllFinite(double[] values)
    {
        foreach (var value in values)
        {
            if (!double.IsFinite(value))
            {
                return false;
            }
        }

        return true;
    }

    private enum Format
    {
        Unknown,
        Npy,
        Csv,
        Idx,
    }

    private static Format FormatOf(string path)
    {
        var name = Path.GetFileName(path).ToLowerInvariant();
        if (name.EndsWith(".npy", StringComparison.Ordinal))
        {
            return Format.Npy;
        }

        if (name.EndsWith(".csv", StringComparison.Ordinal))
        {
            return Format.Csv;
        }

        // The MNIST-style names carry no real extension ("train-images-idx3-ubyte.gz").
        var bare = name.EndsWith(".gz", StringComparison.Ordinal) ? name[..^3] : name;
        return bare.EndsWith(".idx", StringComparison.Ordinal) || bare.EndsWith("ubyte", StringComparison.Ordinal)
            ? Format.Idx
            : Format.Unknown;
    }
}
