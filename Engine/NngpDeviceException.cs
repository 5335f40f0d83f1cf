namespace GpuNngp.Engine;

/// <summary>
/// The device or its runtime failed: no usable GPU where <see cref="Computation.DeviceKind.Gpu"/> was
/// asked for (<see cref="NngpException.Parameter"/> "device"), or a device allocation that failed
/// during the work. Sizes refused before any work stay <see cref="NngpInputException"/> (the size
/// asked for is the problem). A cuBLAS/cuSOLVER status that fails inside a computation surfaces as
/// <see cref="Solvers.CudaException"/>, the bindings' own type, which callers treat alike.
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
