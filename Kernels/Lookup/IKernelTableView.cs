namespace GpuNngp.Kernels.Lookup;

/// <summary>
/// What <see cref="TabulatedDual{TTable}"/> reads about the lookup tables: one <see cref="LookupLayer"/>
/// per hidden layer and the flat coefficient array. A struct implements it per side — managed arrays
/// on the CPU (<see cref="HostKernelTableView"/>), ILGPU array views on the GPU
/// (<see cref="DeviceKernelTableView"/>) — so the same generic code runs on both.
/// </summary>
internal interface IKernelTableView
{
    /// <summary>The table of hidden layer l (<see cref="LookupLayer.None"/> when it has none).</summary>
    LookupLayer Layer(int layer);

    /// <summary>Coefficient <paramref name="index"/> of the flat array.</summary>
    double Coefficient(long index);
}
