namespace GpuNngp;

/// <summary>
/// Every failure the engine reports on purpose: bad input (<see cref="NngpInputException"/>), a
/// numerical failure (<see cref="NngpNumericalException"/>) or the device and its runtime
/// (<see cref="NngpDeviceException"/>). The message is one line that names the problem in the words
/// of the API (parameter names, enum values), never a command-line flag: the command line maps
/// <see cref="Parameter"/> to its own flag.
/// </summary>
public abstract class NngpException : Exception
{
    /// <summary>A failure about <paramref name="parameter"/>, caused by <paramref name="innerException"/>.</summary>
    /// <param name="message">The one-line message that names the problem.</param>
    /// <param name="parameter">The API parameter the message is about, or null.</param>
    /// <param name="innerException">The failure that caused this one, or null.</param>
    protected NngpException(string message, string? parameter, Exception? innerException)
        : base(message, innerException)
    {
        Parameter = parameter;
    }

    /// <summary>A failure about no parameter in particular.</summary>
    /// <param name="message">The one-line message that names the problem.</param>
    protected NngpException(string message) : this(message, null, null) { }

    /// <summary>A failure caused by <paramref name="innerException"/>.</summary>
    /// <param name="message">The one-line message that names the problem.</param>
    /// <param name="innerException">The failure that caused this one.</param>
    protected NngpException(string message, Exception innerException) : this(message, null, innerException) { }

    /// <summary>A failure with a generic message ("the computation failed").</summary>
    protected NngpException() : this("the computation failed", null, null) { }

    /// <summary>
    /// The API parameter the message is about (e.g. "noise", "device", "trainSize", "resume"), or
    /// null when it is about none in particular.
    /// </summary>
    public string? Parameter { get; }
}
