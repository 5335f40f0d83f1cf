namespace GpuNngp.Kernels.Device;

/// <summary>
/// The device form of a slice program's steps: each instruction is <see cref="Length"/> ints in one
/// buffer (the fields below), its constants in a buffer of doubles from <see cref="Values"/> on.
/// Operands are slots of the group's scratch (a slice's K, and Θ after it, per slot).
/// </summary>
internal static class SliceInstruction
{
    /// <summary>A zero-padded convolution, separable: column sums of <see cref="Source"/> into <see cref="Temp"/>, then row sums back into <see cref="Source"/>; values: bias, σw²/(k_h·k_w).</summary>
    public const int Convolve = 1;

    /// <summary>The activation <see cref="Kind"/> in place on <see cref="Source"/>, pixel variances at <see cref="Chain"/>; values: its two slopes.</summary>
    public const int Activate = 2;

    /// <summary><see cref="Target"/> = <see cref="Source"/> (a residual branch's own start).</summary>
    public const int Copy = 3;

    /// <summary><see cref="Target"/> += <see cref="Source"/> (a residual block's sum).</summary>
    public const int Add = 4;

    public const int Op = 0;
    public const int Source = 1;
    public const int Target = 2;
    public const int Temp = 3;

    /// <summary>The grid the instruction reads (Height, Width) and, for a convolution, the one it writes.</summary>
    public const int InHeight = 4;
    public const int InWidth = 5;
    public const int OutHeight = 6;
    public const int OutWidth = 7;

    /// <summary>The product of the strides before the instruction: its slice offsets are the segment's input offsets divided by these.</summary>
    public const int StrideRows = 8;
    public const int StrideColumns = 9;

    public const int RowWindow = 10;
    public const int RowStride = 11;
    public const int RowPadBefore = 12;
    public const int ColumnWindow = 13;
    public const int ColumnStride = 14;
    public const int ColumnPadBefore = 15;

    /// <summary>Where the activation's pixel variances start in a point's chain.</summary>
    public const int Chain = 16;

    /// <summary>The first of the instruction's constants in the buffer of doubles.</summary>
    public const int Values = 17;

    /// <summary>The activation's <see cref="ActivationKind"/>.</summary>
    public const int Kind = 18;

    /// <summary>Ints per instruction.</summary>
    public const int Length = 20;
}
