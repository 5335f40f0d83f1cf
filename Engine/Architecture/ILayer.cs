namespace GpuNngp;

/// <summary>One layer of an infinitely wide network: a dense layer or a pointwise activation.</summary>
public interface ILayer
{
}
