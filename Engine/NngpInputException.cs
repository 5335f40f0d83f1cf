namespace GpuNngp;

/// <summary>
/// Bad input from a user: a malformed file, a mismatched dimension, an out-of-range setting, a size
/// the machine cannot hold. The message is one line that names the problem; the command line prints
/// it without a stack trace and exits non-zero.
/// </summary>
public class NngpInputException : NngpException
{
    public NngpInputException(string message) : base(message) { }

    public NngpInputException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>A problem with one API parameter, named in <paramref name="parameter"/>.</summary>
    public NngpInputException(string message, string parameter) : base(message, parameter, null) { }

    public NngpInputException(string message, string parameter, Exception innerException) : base(message, parameter, innerException) { }

    public NngpInputException() : base("invalid input") { }
}
