namespace GpuNngp.Kernels.Simd;

/// <summary>
/// A bundle of lanes of <typeparamref name="TElement"/> (double, or float for the spatial kernel's
/// FP32 option) read from and written to arrays of that element: <see cref="ILaneMath{TSelf}"/>'s
/// arithmetic with its loads and stores.
/// </summary>
internal interface ILanes<TSelf, TElement> : ILaneMath<TSelf>
    where TSelf : struct, ILanes<TSelf, TElement>
    where TElement : unmanaged
{
    /// <summary>Count consecutive elements from <paramref name="values"/>[<paramref name="index"/>].</summary>
    static abstract TSelf Load(TElement[] values, long index);

    /// <summary>Count consecutive elements from <paramref name="values"/>[<paramref name="index"/>] (a column of a native matrix).</summary>
    static abstract TSelf LoadSpan(ReadOnlySpan<TElement> values, int index);

    /// <summary>Every lane <paramref name="values"/>[<paramref name="index"/>] (one broadcast load).</summary>
    static abstract TSelf BroadcastAt(TElement[] values, long index);

    /// <summary>Writes the lanes to Count consecutive elements from <paramref name="values"/>[<paramref name="index"/>].</summary>
    void Store(TElement[] values, long index);

    /// <summary>
    /// Count consecutive elements from <paramref name="first"/>, unchecked: for stencil loops whose
    /// indices are proven inside the array once per row rather than per load.
    /// </summary>
    static abstract TSelf LoadAt(ref readonly TElement first);

    /// <summary>Writes the lanes to Count consecutive elements from <paramref name="first"/>, unchecked (see <see cref="LoadAt"/>).</summary>
    void StoreAt(ref TElement first);

    /// <summary>Writes the lanes to Count consecutive elements from <paramref name="values"/>[<paramref name="index"/>].</summary>
    void StoreSpan(Span<TElement> values, int index);
}
