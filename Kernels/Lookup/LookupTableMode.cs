namespace GpuNngp;

/// <summary>Whether the kernel map may use lookup tables for activations without a closed form.</summary>
public enum LookupTableMode
{
    /// <summary>
    /// Build a table per quadrature layer when every input shares one norm, keep each layer's table
    /// only where its measured error is within the tolerance, and use it for entries whose variances
    /// match the table's; quadrature everywhere else. Never for closed-form activations.
    /// </summary>
    Auto = 0,

    /// <summary>Direct quadrature for every entry.</summary>
    Off = 1,
}
