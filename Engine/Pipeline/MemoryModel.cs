namespace GpuNngp.Engine.Pipeline;

/// <summary>
/// What a provider's memory holds besides the N×N kernel, and how its refusals read: the constants
/// of <see cref="MemoryPlan"/>, the one place that decides whether a fit, a kernel or a cache fits.
/// </summary>
/// <param name="Holder">The memory's owner in a refusal: "the host" or "the GPU".</param>
/// <param name="Availability">How its capacity was measured: "available (MemAvailable)" or "free".</param>
/// <param name="Reserve">Bytes left free for the runtime, the libraries' workspaces and the driver.</param>
/// <param name="InputCopies">Copies of the inputs a computation holds (the caller's and the provider's).</param>
/// <param name="OutputCopies">Copies of the targets a fit holds (targets, α, staging).</param>
/// <param name="DiagonalCopies">Per-point vectors a fit holds besides the per-layer variances.</param>
/// <param name="WorkingCopies">Extra N×N copies the provider's factorisation makes (the managed provider's).</param>
/// <param name="MaxMatrixElements">The most values one matrix may hold on this provider.</param>
/// <param name="ProviderName">The provider named in a refusal by <see cref="MaxMatrixElements"/>.</param>
/// <param name="LargeSizeRemedy">What to do when <see cref="MaxMatrixElements"/> is exceeded.</param>
/// <param name="FixedTileBytes">A test tile's fixed size on the host; null: a share of the free memory (a device).</param>
/// <param name="KernelLeavesDevice">True when a computed kernel is copied back into host memory as well.</param>
/// <param name="OtherDeviceRemedy">Advice after "use fewer points", e.g. the other device; empty for none.</param>
internal sealed record MemoryModel(
    string Holder,
    string Availability,
    long Reserve,
    int InputCopies,
    int OutputCopies,
    int DiagonalCopies,
    int WorkingCopies,
    long MaxMatrixElements,
    string ProviderName,
    string LargeSizeRemedy,
    long? FixedTileBytes,
    bool KernelLeavesDevice,
    string OtherDeviceRemedy);
