namespace GpuNngp;

/// <summary>
/// Bad input from a user: a malformed file, a mismatched dimension, an out-of-range setting, a size
/// the machine cannot hold. The message is one line that names the problem; the command line prints
/// it without a stack trace and exits non-zero.
/// </summary>
public class NngpInputException : NngpException
{
    /// <summary>A failure about no parameter in particular.</summary>
    /// <param name="message">The one-line message that names the problem.</param>
    public NngpInputException(string message) : base(message) { }

    /// <summary>A failure caused by <paramref name="innerException"/>.</summary>
    /// <param name="message">The one-line message that names the problem.</param>
    /// <param name="innerException">The failure that caused this one.</param>
    public NngpInputException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>A problem with one API parameter, named in <paramref name="parameter"/>.</summary>
    /// <param name="message">The one-line message that names the problem.</param>
    /// <param name="parameter">The API parameter the message is about (<see cref="NngpException.Parameter"/>).</param>
    public NngpInputException(string message, string parameter) : base(message, parameter, null) { }

    /// <summary>A failure about <paramref name="parameter"/>, caused by <paramref name="innerException"/>.</summary>
    /// <param name="message">The one-line message that names the problem.</param>
    /// <param name="parameter">The API parameter the message is about (<see cref="NngpException.Parameter"/>).</param>
    /// <param name="innerException">The failure that caused this one.</param>
    public NngpInputException(string message, string parameter, Exception innerException) : base(message, parameter, innerException) { }

    /// <summary>A failure with a generic message ("invalid input").</summary>
    public NngpInputException() : base("invalid input") { }
}
