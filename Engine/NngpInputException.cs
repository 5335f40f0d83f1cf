namespace GpuNngp.Engine;

/// <summary>
/// Bad input from a user: a malformed file, a mismatched dimension, an out-of-range setting.
/// The message is one line that names the problem; the command line prints it without a stack trace
/// and exits non-zero.
/// </summary>
public class NngpInputException : Exception
{
    public NngpInputException(string message) : base(message) { }

    public NngpInputException(string message, Exception innerException) : base(message, innerException) { }

    public NngpInputException() : base("invalid input") { }
}
