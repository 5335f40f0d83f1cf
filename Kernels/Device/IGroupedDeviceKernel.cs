namespace GpuNngp.Kernels.Device;

/// <summary>
/// An explicitly grouped device kernel defined by its arguments, as a ComputeSharp shader is: a struct
/// whose fields are the kernel's arguments (copied to the device by value at launch) and whose
/// <see cref="Execute"/> is the body one thread runs. <see cref="DeviceKernelEntryPoints.Grouped{TKernel}"/>
/// is the one ILGPU entry point for all of them; <see cref="DeviceKernelCatalog"/> lists the instantiations.
/// </summary>
internal interface IGroupedDeviceKernel
{
    /// <summary>Groups to launch, each of <see cref="DeviceTiling.GroupSize"/> threads.</summary>
    long Groups { get; }

    /// <summary>The body of one thread: <c>Grid.IdxX</c> is its group, <c>Group.IdxX</c> its thread in the group.</summary>
    void Execute();
}
