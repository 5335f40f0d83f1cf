namespace GpuNngp;

/// <summary>
/// The device or its runtime failed: no usable GPU where <see cref="DeviceKind.Gpu"/> was asked for
/// (<see cref="NngpException.Parameter"/> "device"), a device allocation that failed during the work,
/// or a cuBLAS/cuSOLVER call that returned an error (the bindings' own exception is the inner one).
/// Sizes refused before any work stay <see cref="NngpInputException"/> (the size asked for is the problem).
/// </summary>
public class NngpDeviceException : NngpException
{
    /// <summary>A failure about no parameter in particular.</summary>
    /// <param name="message">The one-line message that names the problem.</param>
    public NngpDeviceException(string message) : base(message) { }

    /// <summary>A failure caused by <paramref name="innerException"/>.</summary>
    /// <param name="message">The one-line message that names the problem.</param>
    /// <param name="innerException">The failure that caused this one.</param>
    public NngpDeviceException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>A failure of the device that one API parameter chose (e.g. "device").</summary>
    /// <param name="message">The one-line message that names the problem.</param>
    /// <param name="parameter">The API parameter the message is about (<see cref="NngpException.Parameter"/>).</param>
    public NngpDeviceException(string message, string parameter) : base(message, parameter, null) { }

    /// <summary>A failure about <paramref name="parameter"/>, caused by <paramref name="innerException"/>.</summary>
    /// <param name="message">The one-line message that names the problem.</param>
    /// <param name="parameter">The API parameter the message is about (<see cref="NngpException.Parameter"/>).</param>
    /// <param name="innerException">The failure that caused this one.</param>
    public NngpDeviceException(string message, string parameter, Exception innerException) : base(message, parameter, innerException) { }

    /// <summary>A failure with a generic message ("the device failed").</summary>
    public NngpDeviceException() : base("the device failed") { }
}
