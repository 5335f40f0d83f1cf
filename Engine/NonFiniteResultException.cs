namespace GpuNngp;

/// <summary>
/// A kernel or a result that would not be finite (an overflow, or an activation returning NaN/∞):
/// thrown instead of returning it. A numerical failure (exit code 2 in the CLI); a search records the
/// point as failed with this message.
/// </summary>
public sealed class NonFiniteResultException : NngpNumericalException
{
    public NonFiniteResultException(string message) : base(message) { }

    public NonFiniteResultException(string message, Exception innerException) : base(message, innerException) { }

    public NonFiniteResultException() : base("a result is not finite") { }
}
