
namespace GpuNngp.Data;

/// <summary>
/// Turns failures of reading and writing user files into <see cref="NngpInputException"/>s whose
/// message is one line: the command line prints it as is, so a multi-line system message would
/// break its output.
/// </summary>
internal static class InputErrors
{
    public static NngpInputException Error(string name, string problem, Exception? inner = null)
    {
        var message = $"{name}: {OneLine(problem)}";
        return inner is null ? new NngpInputException(message) : new NngpInputException(message, inner);
    }

    /// <summary>
    /// Runs a read and converts the exceptions the runtime raises for bad files into one-line
    /// input errors, so that no IOException or InvalidDataException reaches the caller.
    /// </summary>
    public static T Guard<T>(string name, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (FileNotFoundException e)
        {
            throw Error(name, "file not found", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw Error(name, "file not found (its directory does not exist)", e);
        }
        catch (InvalidDataException e)
        {
            throw Error(name, "corrupt gzip stream", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw Error(name, "permission denied", e);
        }
        catch (IOException e)
        {
            throw Error(name, $"cannot read: {e.Message}", e);
        }
        catch (FormatException e)
        {
            throw Error(name, $"malformed: {e.Message}", e);
        }
    }

    public static string OneLine(string text) =>
        text.ReplaceLineEndings(" ").Trim();

    public static string Shape(IReadOnlyList<int> dimensions) =>
        string.Join("×", dimensions);
}
