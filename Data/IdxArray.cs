using System.Buffers.Binary;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Data;

/// <summary>The element types the IDX format defines, by their type byte.</summary>
public enum IdxElementType : byte
{
    /// <summary>Unsigned bytes (MNIST's pixels and labels).</summary>
    UInt8 = 0x08,

    /// <summary>Signed bytes.</summary>
    Int8 = 0x09,

    /// <summary>Big-endian 16-bit integers.</summary>
    Int16 = 0x0B,

    /// <summary>Big-endian 32-bit integers.</summary>
    Int32 = 0x0C,

    /// <summary>Big-endian IEEE single precision.</summary>
    Float32 = 0x0D,

    /// <summary>Big-endian IEEE double precision.</summary>
    Float64 = 0x0E,
}

/// <summary>
/// The contents of one IDX file: its dimensions and its values in row-major order (the last
/// dimension varies fastest). The values stay in the file's own big-endian encoding and are decoded
/// on access, because converting 60,000 MNIST images to doubles up front would cost eight times
/// the memory when a caller only needs the first thousand of them.
/// </summary>
public sealed class IdxArray
{
    private readonly byte[] _payload;
    private readonly int[] _dimensions;

    internal IdxArray(IdxElementType elementType, int[] dimensions, byte[] payload)
    {
        ElementType = elementType;
        _dimensions = dimensions;
        _payload = payload;
        Length = payload.LongLength / ElementSize(elementType);
    }

    /// <summary>The type of the file's values (its third magic byte).</summary>
    public IdxElementType ElementType { get; }

    /// <summary>The sizes of the dimensions, outermost first (e.g. 60000, 28, 28).</summary>
    public IReadOnlyList<int> Dimensions => _dimensions;

    /// <summary>The number of values: the product of the dimensions.</summary>
    public long Length { get; }

    /// <summary>The number of values in one entry of the first dimension (e.g. 784 for 28×28 images).</summary>
    public int ValuesPerItem => _dimensions.Length == 1 ? 1 : checked((int)(Length / Math.Max(_dimensions[0], 1)));

    /// <summary>The value at a row-major index, converted to double (exact for every IDX type).</summary>
    public double this[long index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Length);
            return Decode(index);
        }
    }

    /// <summary>All values as doubles in row-major order.</summary>
    public double[] ToDoubleArray()
    {
        var values = new double[Length];
        for (long i = 0; i < values.LongLength; i++)
        {
            values[i] = Decode(i);
        }

        return values;
    }

    /// <summary>
    /// Rows <paramref name="firstRow"/> .. <paramref name="firstRow"/> + <paramref name="rowCount"/> − 1
    /// of the first dimension as a dense matrix with one row per entry and all other dimensions
    /// flattened into the columns; a 1-D file gives a column vector.
    /// </summary>
    public Matrix<double> ToMatrix(int firstRow, int rowCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstRow);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)firstRow + rowCount, _dimensions[0]);
        return ToMatrix(Enumerable.Range(firstRow, rowCount).ToArray());
    }

    /// <summary>
    /// The given rows (first-dimension indices), one matrix row each, in the order given: a split
    /// that selects by class (the paper's) takes them scattered through the file.
    /// </summary>
    public Matrix<double> ToMatrix(int[] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int columns = ValuesPerItem;
        // Column-major storage: the file's rows are contiguous, so each row is scattered with a
        // stride of rows.Length; writing the target sequentially instead would read the file with a
        // stride of `columns`, and the file is the bigger of the two for uint8 data.
        var storage = new double[checked((long)rows.Length * columns)];
        for (int r = 0; r < rows.Length; r++)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(rows[r]);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rows[r], _dimensions[0]);
            long source = (long)rows[r] * columns;
            for (int c = 0; c < columns; c++)
            {
                storage[(long)c * rows.Length + r] = Decode(source + c);
            }
        }

        return Matrix<double>.Build.Dense(rows.Length, columns, storage);
    }

    /// <summary>The whole array as a matrix (see <see cref="ToMatrix(int, int)"/>).</summary>
    public Matrix<double> ToMatrix() => ToMatrix(0, _dimensions[0]);

    internal static int ElementSize(IdxElementType type) => type switch
    {
        IdxElementType.UInt8 or IdxElementType.Int8 => 1,
        IdxElementType.Int16 => 2,
        IdxElementType.Int32 or IdxElementType.Float32 => 4,
        IdxElementType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not an IDX element type"),
    };

    private double Decode(long index)
    {
        switch (ElementType)
        {
            case IdxElementType.UInt8:
                return _payload[index];
            case IdxElementType.Int8:
                return unchecked((sbyte)_payload[index]);
            case IdxElementType.Int16:
                return BinaryPrimitives.ReadInt16BigEndian(_payload.AsSpan(checked((int)(index * 2)), 2));
            case IdxElementType.Int32:
                return BinaryPrimitives.ReadInt32BigEndian(_payload.AsSpan(checked((int)(index * 4)), 4));
            case IdxElementType.Float32:
                return BinaryPrimitives.ReadSingleBigEndian(_payload.AsSpan(checked((int)(index * 4)), 4));
            case IdxElementType.Float64:
                return BinaryPrimitives.ReadDoubleBigEndian(_payload.AsSpan(checked((int)(index * 8)), 8));
            default:
                throw new InvalidOperationException($"unknown IDX element type {ElementType}");
        }
    }
}
