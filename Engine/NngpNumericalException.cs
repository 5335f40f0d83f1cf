namespace GpuNngp;

/// <summary>
/// A computation that failed numerically on valid input: a kernel matrix not positive definite even
/// with the largest jitter its <see cref="JitterPolicy"/> allows, or a result that is not
/// finite (<see cref="NonFiniteResultException"/>). A hyperparameter search records such a point as
/// failed and goes on; the command line exits with code 2 as for bad input.
/// </summary>
public class NngpNumericalException : NngpException
{
    public NngpNumericalException(string message) : base(message) { }

    public NngpNumericalException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>A failure that one API parameter can mend (e.g. "noise"), named in <paramref name="parameter"/>.</summary>
    public NngpNumericalException(string message, string parameter) : base(message, parameter, null) { }

    public NngpNumericalException(string message, string parameter, Exception innerException) : base(message, parameter, innerException) { }

    public NngpNumericalException() : base("the computation failed numerically") { }
}
