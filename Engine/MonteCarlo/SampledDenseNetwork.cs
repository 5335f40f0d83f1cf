using GpuNngp.Solvers;
using MathNet.Numerics.Distributions;

namespace GpuNngp.Engine.MonteCarlo;

/// <summary>
/// Finite fully connected networks of one architecture, drawn one at a time in the NTK
/// parameterisation (docs/mathematics.md, "Monte Carlo kernels"): dense layer l computes
/// z = √(σw²/n_in)·W·a + √σb²·b with W, b ~ N(0, 1), every hidden layer and the readout W units wide.
/// The N points travel together as the columns of n × N matrices, so each layer's forward and
/// backward step is one gemm of the host BLAS; the kernels of a draw are gemms of those matrices.
/// </summary>
internal sealed unsafe class SampledDenseNetwork : IDisposable
{
    private readonly IHostLinearAlgebra _blas;
    private readonly DenseLayer[] _dense;
    private readonly UnitActivation[] _activations;
    private readonly int _width, _points;
    private readonly int[] _fanIn;
    private readonly HostBuffer[] _weights, _biases, _inputs, _derivatives;
    private readonly HostBuffer _output, _gradient, _nextGradient, _gradientGram, _inputGram;

    /// <param name="blas">The host BLAS every product runs on.</param>
    /// <param name="dense">The dense layers, the last one the readout.</param>
    /// <param name="activations">The activation after each dense layer but the last.</param>
    /// <param name="x">The points, N × d (rows are points), finite.</param>
    /// <param name="width">W, the units of every dense layer.</param>
    public SampledDenseNetwork(IHostLinearAlgebra blas, DenseLayer[] dense, UnitActivation[] activations, double[,] x, int width)
    {
        _blas = blas;
        _dense = dense;
        _activations = activations;
        _width = width;
        _points = x.GetLength(0);
        int features = x.GetLength(1);
        int layers = dense.Length;
        _fanIn = [.. Enumerable.Range(0, layers).Select(l => l == 0 ? features : width)];
        _weights = [.. _fanIn.Select(n => HostBuffer.Allocate((long)width * n))];
        _biases = [.. _fanIn.Select(_ => HostBuffer.Allocate(width))];
        _inputs = [.. _fanIn.Select(n => HostBuffer.Allocate((long)n * _points))];
        _derivatives = [.. activations.Select(_ => HostBuffer.Allocate((long)width * _points))];
        _output = HostBuffer.Allocate((long)width * _points);
        _gradient = HostBuffer.Allocate((long)width * _points);
        _nextGradient = HostBuffer.Allocate((long)width * _points);
        _gradientGram = HostBuffer.Allocate((long)_points * _points);
        _inputGram = HostBuffer.Allocate((long)_points * _points);

        // The first layer's input is Xᵀ: d × N, one column per point.
        double* a0 = _inputs[0].Pointer;
        for (int p = 0; p < _points; p++)
        {
            for (int f = 0; f < features; f++)
            {
                a0[(long)p * features + f] = x[p, f];
            }
        }
    }

    /// <summary>The bytes the buffers of a network of this shape take (for the memory check before any work).</summary>
    public static long Bytes(int layers, int features, int width, int points)
    {
        long w = width, n = points;
        long weights = w * features + (layers - 1) * w * w + layers * w;
        long activations = features * n + (layers - 1) * w * n * 2 + 3 * w * n;
        return sizeof(double) * (weights + activations + 3 * n * n);
    }

    /// <summary>Draws a network with <paramref name="random"/> and runs the points through it (the readout's output kept).</summary>
    public void Draw(Random random, bool keepDerivatives, CancellationToken cancellationToken)
    {
        for (int l = 0; l < _dense.Length; l++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            FillNormals(_weights[l], random);
            FillNormals(_biases[l], random);
            bool readout = l == _dense.Length - 1;
            HostBuffer z = readout ? _output : _inputs[l + 1];
            _blas.Multiply(false, false, _width, _points, _fanIn[l], Math.Sqrt(_dense[l].WeightVariance / _fanIn[l]), _weights[l], _inputs[l], 0, z, cancellationToken);
            AddBias(z, _biases[l], Math.Sqrt(_dense[l].BiasVariance));
            if (!readout)
            {
                Activate(z, _activations[l], keepDerivatives ? _derivatives[l] : null);
            }
        }
    }

    /// <summary>
    /// sum += (1/W)·Fᵀ·F, F the W × N readout output of the last draw: the mean over the readout units
    /// of f_k(x)·f_k(x′), an unbiased estimate of the NNGP given this draw's hidden layers.
    /// </summary>
    public void AddNngp(HostBuffer sum, CancellationToken cancellationToken) =>
        _blas.Multiply(true, false, _points, _points, _width, 1.0 / _width, _output, _output, 1, sum, cancellationToken);

    /// <summary>
    /// sum += J·Jᵀ for the last draw's first readout unit f = f₀, by backpropagation: with
    /// g_l = ∂f/∂z_l (W × N, one column per point), layer l's weights and biases contribute
    /// (g_lᵀg_l) ⊙ (σw²/n_in·a_lᵀa_l + σb²), and g_{l−1} = φ'(z_{l−1}) ⊙ (√(σw²/n_in)·W_lᵀ·g_l).
    /// Needs <see cref="Draw"/> with its derivatives kept.
    /// </summary>
    public void AddNtk(HostBuffer sum, CancellationToken cancellationToken)
    {
        long count = (long)_width * _points;
        _gradient.Clear();
        double* g = _gradient.Pointer;
        for (int p = 0; p < _points; p++)
        {
            g[(long)p * _width] = 1; // ∂f₀/∂z_readout = e₀ for every point
        }

        HostBuffer gradient = _gradient, next = _nextGradient;
        for (int l = _dense.Length - 1; l >= 0; l--)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int fanIn = _fanIn[l];
            _blas.Multiply(true, false, _points, _points, _width, 1, gradient, gradient, 0, _gradientGram, cancellationToken);
            _blas.Multiply(true, false, _points, _points, fanIn, _dense[l].WeightVariance / fanIn, _inputs[l], _inputs[l], 0, _inputGram, cancellationToken);
            double bias = _dense[l].BiasVariance;
            double* s = sum.Pointer, gg = _gradientGram.Pointer, aa = _inputGram.Pointer;
            for (long i = 0; i < (long)_points * _points; i++)
            {
                s[i] += gg[i] * (aa[i] + bias);
            }

            if (l > 0)
            {
                _blas.Multiply(true, false, fanIn, _points, _width, Math.Sqrt(_dense[l].WeightVariance / fanIn), _weights[l], gradient, 0, next, cancellationToken);
                double* n = next.Pointer, d = _derivatives[l - 1].Pointer;
                for (long i = 0; i < count; i++)
                {
                    n[i] *= d[i];
                }

                (gradient, next) = (next, gradient);
            }
        }
    }

    public void Dispose()
    {
        foreach (var buffer in _weights.Concat(_biases).Concat(_inputs).Concat(_derivatives))
        {
            buffer.Dispose();
        }

        _output.Dispose();
        _gradient.Dispose();
        _nextGradient.Dispose();
        _gradientGram.Dispose();
        _inputGram.Dispose();
    }

    /// <summary>Standard normals in order of the buffer's index: the draw is a function of the generator's state alone.</summary>
    private static void FillNormals(HostBuffer target, Random random)
    {
        double* values = target.Pointer;
        for (long i = 0; i < target.Length; i++)
        {
            values[i] = Normal.Sample(random, 0, 1);
        }
    }

    private void AddBias(HostBuffer z, HostBuffer bias, double scale)
    {
        double* zp = z.Pointer, b = bias.Pointer;
        for (long p = 0; p < _points; p++)
        {
            double* column = zp + p * _width;
            for (int i = 0; i < _width; i++)
            {
                column[i] += scale * b[i];
            }
        }
    }

    private void Activate(HostBuffer z, UnitActivation activation, HostBuffer? derivatives)
    {
        long count = (long)_width * _points;
        double* zp = z.Pointer;
        double* dp = derivatives is null ? null : derivatives.Pointer;
        for (long i = 0; i < count; i++)
        {
            double pre = zp[i];
            if (dp != null)
            {
                dp[i] = activation.Derivative(pre);
            }

            zp[i] = activation.Value(pre);
        }
    }
}
