using GpuNngp.Engine.Pipeline;

namespace GpuNngp.Engine.MonteCarlo;

/// <summary>
/// One layer of a sampled finite network over the N points at once (tensors channels × (pixel, point),
/// <see cref="TensorShape"/>): its forward step, and its backward step for the tangent kernel — given
/// g = ∂f/∂(its output), it adds its parameters' gradient inner products to the kernel
/// (<see cref="GradientContraction"/>) and returns ∂f/∂(its input). A layer owns the buffers it
/// writes; it never changes the buffers it is given, so a residual block can hand one input to
/// several branches and one gradient back through them.
/// </summary>
internal abstract class SampledLayer : IDisposable
{
    protected SampledLayer(TensorShape input, TensorShape output)
    {
        Input = input;
        Output = output;
    }

    public TensorShape Input { get; }

    public TensorShape Output { get; }

    /// <summary>True when the backward step must return ∂f/∂(input) (every layer but the first).</summary>
    public bool NeedsInputGradient { get; init; } = true;

    /// <summary>The doubles this layer's buffers take for <paramref name="points"/> points (the memory check before any allocation).</summary>
    public abstract long Doubles(int points, bool ntk);

    /// <summary>The largest (rows of g, rows of the layer input) of a weighted layer here, for the contraction's scratch; (0, 0) without weights.</summary>
    public virtual (long GradientRows, long InputRows) ContractionRows => (0, 0);

    /// <summary>Allocates the buffers on <paramref name="operations"/>' provider.</summary>
    public abstract void Allocate(SampledOperations operations, int points, bool ntk);

    /// <summary>Draws the parameters from <paramref name="random"/> (standard normals, in a fixed order), if any.</summary>
    public virtual void Draw(Random random)
    {
    }

    public abstract ProviderBuffer Forward(ProviderBuffer input, CancellationToken cancellationToken);

    /// <summary>Adds this layer's parameters' share to the kernel and returns ∂f/∂(input), or null when <see cref="NeedsInputGradient"/> is false.</summary>
    public abstract ProviderBuffer? Backward(ProviderBuffer outputGradient, GradientContraction contraction, CancellationToken cancellationToken);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);

    protected static void Free(params IDisposable?[] buffers)
    {
        foreach (IDisposable? buffer in buffers)
        {
            buffer?.Dispose();
        }
    }
}
