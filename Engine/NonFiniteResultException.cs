namespace GpuNngp;

/// <summary>
/// A kernel or a result that would not be finite (an overflow, or an activation returning NaN/∞):
/// thrown instead of returning it. A numerical failure (exit code 2 in the CLI); a search records the
/// point as failed with this message.
/// </summary>
public sealed class NonFiniteResultException : NngpNumericalException
{
    /// <summary>A result that is not finite.</summary>
    /// <param name="message">The one-line message that names the problem.</param>
    public NonFiniteResultException(string message) : base(message) { }

    /// <summary>A result that is not finite, found by <paramref name="innerException"/>.</summary>
    /// <param name="message">The one-line message that names the problem.</param>
    /// <param name="innerException">The failure that caused this one.</param>
    public NonFiniteResultException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>A failure with a generic message ("a result is not finite").</summary>
    public NonFiniteResultException() : base("a result is not finite") { }
}
