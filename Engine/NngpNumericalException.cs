namespace GpuNngp;

/// <summary>
/// A computation that failed numerically on valid input: a kernel matrix not positive definite even
/// with the largest jitter its <see cref="JitterPolicy"/> allows, or a result that is not
/// finite (<see cref="NonFiniteResultException"/>). A hyperparameter search records such a point as
/// failed and goes on; the command line exits with code 2 as for bad input.
/// </summary>
public class NngpNumericalException : NngpException
{
    /// <summary>A failure about no parameter in particular.</summary>
    /// <param name="message">The one-line message that names the problem.</param>
    public NngpNumericalException(string message) : base(message) { }

    /// <summary>A failure caused by <paramref name="innerException"/>.</summary>
    /// <param name="message">The one-line message that names the problem.</param>
    /// <param name="innerException">The failure that caused this one.</param>
    public NngpNumericalException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>A failure that one API parameter can mend (e.g. "noise"), named in <paramref name="parameter"/>.</summary>
    /// <param name="message">The one-line message that names the problem.</param>
    /// <param name="parameter">The API parameter the message is about (<see cref="NngpException.Parameter"/>).</param>
    public NngpNumericalException(string message, string parameter) : base(message, parameter, null) { }

    /// <summary>A failure about <paramref name="parameter"/>, caused by <paramref name="innerException"/>.</summary>
    /// <param name="message">The one-line message that names the problem.</param>
    /// <param name="parameter">The API parameter the message is about (<see cref="NngpException.Parameter"/>).</param>
    /// <param name="innerException">The failure that caused this one.</param>
    public NngpNumericalException(string message, string parameter, Exception innerException) : base(message, parameter, innerException) { }

    /// <summary>A failure with a generic message ("the computation failed numerically").</summary>
    public NngpNumericalException() : base("the computation failed numerically") { }
}
