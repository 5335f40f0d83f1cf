namespace GpuNngp;

/// <summary>
/// Whether the kernel map may use lookup tables for activations without a closed form (tanh,
/// softplus, sigmoid, swish, custom ones): F and Ḟ tabulated over the correlation at the variance
/// all inputs share, interpolated by cubics (docs/mathematics.md §4). Closed-form activations never
/// use them.
/// </summary>
public enum LookupTableMode
{
    /// <summary>
    /// Build a table per quadrature layer when every input shares one norm, keep each layer's table
    /// only where its measured error is within the tolerance (1e-10 of the layer's largest value,
    /// checked against direct quadrature at every cell's midpoint), and use it for entries whose
    /// variances match the table's (to 1e-12 relative); quadrature everywhere else. Never for
    /// closed-form activations. Inputs standardised per example (x·x/d = 1) share one norm.
    /// </summary>
    Auto = 0,

    /// <summary>Direct quadrature for every entry.</summary>
    Off = 1,
}
