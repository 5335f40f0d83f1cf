using Xunit;

namespace GpuNngp.Engine.Tests;

/// <summary>
/// Tests that must not share the two cores with the rest of the suite: a latency bar (the 7,000-point
/// cancellation) and the MPI jobs, which start several processes each. xUnit runs this collection
/// on its own, after the parallel ones.
/// </summary>
[CollectionDefinition(nameof(SoloCollection), DisableParallelization = true)]
public sealed class SoloCollection;
