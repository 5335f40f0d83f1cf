namespace GpuNngp.Kernels;

/// <summary>
/// Where a recursion gets F and Ḟ of a hidden layer's activation from. <see cref="LayerRecursion"/>
/// is written once over this: <see cref="DirectDual"/> evaluates every entry (closed form or
/// quadrature), <see cref="Lookup.TabulatedDual{TTable}"/> reads a layer's lookup table where it covers
/// the entry. Struct implementations, so the CPU's JIT and ILGPU both specialise the recursion per source.
/// </summary>
internal interface IDualEvaluator
{
    /// <summary>F and Ḟ of hidden layer <paramref name="layer"/> at (k12, k11, k22).</summary>
    DualMoments Evaluate<TNetwork>(in TNetwork network, Activation activation, int layer, double k12, double k11, double k22, bool withDerivative)
        where TNetwork : struct, INetworkView;
}

/// <summary>Every entry evaluated directly: the closed form, or quadrature where there is none.</summary>
internal readonly struct DirectDual : IDualEvaluator
{
    public DualMoments Evaluate<TNetwork>(in TNetwork network, Activation activation, int layer, double k12, double k11, double k22, bool withDerivative)
        where TNetwork : struct, INetworkView =>
        DualActivation.Evaluate(in network, activation, layer, k12, k11, k22, withDerivative);
}
