namespace GpuNngp;

/// <summary>
/// The device or its runtime failed: no usable GPU where <see cref="DeviceKind.Gpu"/> was asked for
/// (<see cref="NngpException.Parameter"/> "device"), a device allocation that failed during the work,
/// or a cuBLAS/cuSOLVER call that returned an error (the bindings' own exception is the inner one).
/// Sizes refused before any work stay <see cref="NngpInputException"/> (the size asked for is the problem).
/// </summary>
public class NngpDeviceException : NngpException
{
    public NngpDeviceException(string message) : base(message) { }

    public NngpDeviceException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>A failure of the device that one API parameter chose (e.g. "device").</summary>
    public NngpDeviceException(string message, string parameter) : base(message, parameter, null) { }

    public NngpDeviceException(string message, string parameter, Exception innerException) : base(message, parameter, innerException) { }

    public NngpDeviceException() : base("the device failed") { }
}
