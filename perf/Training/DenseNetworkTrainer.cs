using GpuNngp.Solvers;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace GpuNngp.Perf.Training;

/// <summary>
/// A finite fully connected ReLU network in the NTK parameterisation (DESIGN §1): layer l computes
/// z_l = σw/√n_{l−1} · W_l a_{l−1} + σb · b_l with every entry of W_l and b_l drawn N(0, 1), trained
/// by full-batch gradient descent on L = 1/(2NC) Σ (f − y)². Its own trainer rather than TorchSharp:
/// the forward and backward passes of a dense network are a few FP64 gemms, done here by the same
/// BLAS the engine uses (OpenBLAS through <see cref="HostLinearAlgebra"/>), with no 200 MB native
/// libtorch and no second thread pool competing for the cores.
/// Storage is column-major with one column per point: activations are width × N.
/// </summary>
public sealed class DenseNetworkTrainer : IDisposable
{
    private readonly IHostLinearAlgebra _blas = HostLinearAlgebra.Default;
    private readonly int[] _sizes;
    private readonly double _weightStd;
    private readonly double _biasStd;
    private readonly HostBuffer[] _weights;
    private readonly HostBuffer[] _biases;
    private readonly HostBuffer[] _weightGradients;
    private readonly HostBuffer[] _biasGradients;
    private readonly HostBuffer _inputs;
    private readonly HostBuffer _targets;
    private readonly HostBuffer[] _preActivations;
    private readonly HostBuffer[] _activations;
    private readonly HostBuffer[] _deltas;
    private readonly int _count;
    private bool _disposed;

    /// <summary>
    /// A network d → width (× <paramref name="depth"/> hidden ReLU layers) → C for the training set
    /// (<paramref name="inputs"/> N×d, <paramref name="targets"/> N×C), initialised from <paramref name="seed"/>.
    /// </summary>
    public DenseNetworkTrainer(
        Matrix<double> inputs, Matrix<double> targets, int depth, int width, double weightVariance, double biasVariance, int seed)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (targets.RowCount != inputs.RowCount)
        {
            throw new ArgumentException($"{inputs.RowCount} inputs but {targets.RowCount} targets", nameof(targets));
        }

        _count = inputs.RowCount;
        _sizes = new int[depth + 2];
        _sizes[0] = inputs.ColumnCount;
        for (int l = 1; l <= depth; l++)
        {
            _sizes[l] = width;
        }

        _sizes[^1] = targets.ColumnCount;
        _weightStd = Math.Sqrt(weightVariance);
        _biasStd = Math.Sqrt(biasVariance);
        int layers = depth + 1;
        var random = new Random(seed);
        _weights = new HostBuffer[layers];
        _biases = new HostBuffer[layers];
        _weightGradients = new HostBuffer[layers];
        _biasGradients = new HostBuffer[layers];
        _preActivations = new HostBuffer[layers];
        _activations = new HostBuffer[layers];
        _deltas = new HostBuffer[layers];
        for (int l = 0; l < layers; l++)
        {
            _weights[l] = StandardNormal(random, (long)_sizes[l + 1] * _sizes[l]);
            _biases[l] = StandardNormal(random, _sizes[l + 1]);
            _weightGradients[l] = HostBuffer.Allocate((long)_sizes[l + 1] * _sizes[l]);
            _biasGradients[l] = HostBuffer.Allocate(_sizes[l + 1]);
        }

        _inputs = PointsAsColumns(inputs);
        _targets = PointsAsColumns(targets);
        AllocatePointBuffers(_count);
    }

    /// <summary>The number of trainable parameters (weights and biases of every layer).</summary>
    public long ParameterCount => Enumerable.Range(0, _weights.Length).Sum(l => _weights[l].Length + _biases[l].Length);

    /// <summary>All parameters as one vector (layer by layer: weights column-major, then biases).</summary>
    public double[] Parameters() => Flatten(_weights, _biases);

    /// <summary>Replaces all parameters by <paramref name="values"/> (the layout of <see cref="Parameters"/>).</summary>
    public void SetParameters(ReadOnlySpan<double> values)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (values.Length != ParameterCount)
        {
            throw new ArgumentException($"{values.Length} values for {ParameterCount} parameters", nameof(values));
        }

        int offset = 0;
        for (int l = 0; l < _weights.Length; l++)
        {
            foreach (var buffer in new[] { _weights[l], _biases[l] })
            {
                values.Slice(offset, (int)buffer.Length).CopyTo(buffer.Slice(0, (int)buffer.Length));
                offset += (int)buffer.Length;
            }
        }
    }

    /// <summary>The training loss 1/(2NC) Σ (f − y)² at the current parameters.</summary>
    public double Loss()
    {
        ForwardTraining();
        return LossOfOutputs();
    }

    /// <summary>∇L at the current parameters, in the layout of <see cref="Parameters"/>, and the loss.</summary>
    public (double Loss, double[] Gradient) LossAndGradient()
    {
        double loss = ComputeGradient();
        return (loss, Flatten(_weightGradients, _biasGradients));
    }

    /// <summary>One full-batch gradient-descent step θ ← θ − η ∇L(θ); returns the loss before the step.</summary>
    public double Step(double learningRate)
    {
        double loss = ComputeGradient();
        for (int l = 0; l < _weights.Length; l++)
        {
            Axpy(-learningRate, _weightGradients[l], _weights[l]);
            Axpy(-learningRate, _biasGradients[l], _biases[l]);
        }

        return loss;
    }

    /// <summary>The network's outputs f(x) for the rows of <paramref name="inputs"/> (M×d): an M×C matrix.</summary>
    public Matrix<double> Outputs(Matrix<double> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var x = PointsAsColumns(inputs);
        HostBuffer current = x;
        var owned = new List<HostBuffer>();
        try
        {
            for (int l = 0; l < _weights.Length; l++)
            {
                var z = HostBuffer.Allocate((long)_sizes[l + 1] * inputs.RowCount);
                owned.Add(z);
                Affine(l, current, z, inputs.RowCount);
                if (l < _weights.Length - 1)
                {
                    Relu(z.Slice(0, (int)z.Length));
                }

                current = z;
            }

            return ColumnsAsPoints(current, inputs.RowCount, _sizes[^1]);
        }
        finally
        {
            owned.ForEach(b => b.Dispose());
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var buffer in _weights.Concat(_biases).Concat(_weightGradients).Concat(_biasGradients)
            .Concat(_preActivations).Concat(_activations).Concat(_deltas).Append(_inputs).Append(_targets))
        {
            buffer.Dispose();
        }
    }

    private void AllocatePointBuffers(int count)
    {
        for (int l = 0; l < _weights.Length; l++)
        {
            _preActivations[l] = HostBuffer.Allocate((long)_sizes[l + 1] * count);
            _activations[l] = HostBuffer.Allocate((long)_sizes[l + 1] * count);
            _deltas[l] = HostBuffer.Allocate((long)_sizes[l + 1] * count);
        }
    }

    /// <summary>z = σw/√n_in · W a + σb · b for <paramref name="count"/> points (the columns of a).</summary>
    private void Affine(int layer, HostBuffer input, HostBuffer output, int count)
    {
        int rows = _sizes[layer + 1];
        var bias = _biases[layer];
        for (int p = 0; p < count; p++)
        {
            var column = output.Slice((long)p * rows, rows);
            for (int r = 0; r < rows; r++)
            {
                column[r] = _biasStd * bias[r];
            }
        }

        _blas.Multiply(false, false, rows, count, _sizes[layer], WeightScale(layer), _weights[layer], input, 1.0, output);
    }

    private double WeightScale(int layer) => _weightStd / Math.Sqrt(_sizes[layer]);

    private void ForwardTraining()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        HostBuffer current = _inputs;
        for (int l = 0; l < _weights.Length; l++)
        {
            Affine(l, current, _preActivations[l], _count);
            var activation = _activations[l].Slice(0, (int)_activations[l].Length);
            _preActivations[l].Slice(0, (int)_preActivations[l].Length).CopyTo(activation);
            if (l < _weights.Length - 1)
            {
                Relu(activation);
            }

            current = _activations[l];
        }
    }

    private double LossOfOutputs()
    {
        var outputs = _activations[^1].Slice(0, (int)_activations[^1].Length);
        var targets = _targets.Slice(0, (int)_targets.Length);
        double sum = 0;
        for (int i = 0; i < outputs.Length; i++)
        {
            double residual = outputs[i] - targets[i];
            sum += residual * residual;
        }

        return sum / (2.0 * outputs.Length);
    }

    /// <summary>
    /// Backpropagation: δ_out = (f − y)/(NC); for each layer ∂L/∂W = α δ aᵀ, ∂L/∂b = σb Σ_points δ,
    /// and δ below = relu'(z) ⊙ α Wᵀ δ, with α = σw/√n_in.
    /// </summary>
    private double ComputeGradient()
    {
        ForwardTraining();
        double loss = LossOfOutputs();
        int last = _weights.Length - 1;
        var outputs = _activations[last].Slice(0, (int)_activations[last].Length);
        var targets = _targets.Slice(0, (int)_targets.Length);
        var delta = _deltas[last].Slice(0, (int)_deltas[last].Length);
        double scale = 1.0 / outputs.Length;
        for (int i = 0; i < outputs.Length; i++)
        {
            delta[i] = (outputs[i] - targets[i]) * scale;
        }

        for (int l = last; l >= 0; l--)
        {
            int rows = _sizes[l + 1], columns = _sizes[l];
            HostBuffer below = l == 0 ? _inputs : _activations[l - 1];
            double alpha = WeightScale(l);
            _blas.Multiply(false, true, rows, columns, _count, alpha, _deltas[l], below, 0.0, _weightGradients[l]);
            var biasGradient = _biasGradients[l].Slice(0, rows);
            biasGradient.Clear();
            for (int p = 0; p < _count; p++)
            {
                var column = _deltas[l].Slice((long)p * rows, rows);
                for (int r = 0; r < rows; r++)
                {
                    biasGradient[r] += column[r];
                }
            }

            for (int r = 0; r < rows; r++)
            {
                biasGradient[r] *= _biasStd;
            }

            if (l > 0)
            {
                _blas.Multiply(true, false, columns, _count, rows, alpha, _weights[l], _deltas[l], 0.0, _deltas[l - 1]);
                var lower = _deltas[l - 1].Slice(0, (int)_deltas[l - 1].Length);
                var z = _preActivations[l - 1].Slice(0, (int)_preActivations[l - 1].Length);
                for (int i = 0; i < lower.Length; i++)
                {
                    if (z[i] <= 0)
                    {
                        lower[i] = 0;
                    }
                }
            }
        }

        return loss;
    }

    private static void Relu(Span<double> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Math.Max(values[i], 0);
        }
    }

    private static void Axpy(double alpha, HostBuffer x, HostBuffer y)
    {
        var source = x.Slice(0, (int)x.Length);
        var target = y.Slice(0, (int)y.Length);
        for (int i = 0; i < source.Length; i++)
        {
            target[i] += alpha * source[i];
        }
    }

    private static HostBuffer StandardNormal(Random random, long length)
    {
        var values = new double[length];
        Normal.Samples(random, values, 0, 1);
        return HostBuffer.CopyOf(values);
    }

    /// <summary>The rows of an N×k matrix as the columns of a k×N column-major buffer (one column per point).</summary>
    private static HostBuffer PointsAsColumns(Matrix<double> points) => HostBuffer.CopyOf(points.ToRowMajorArray());

    private static Matrix<double> ColumnsAsPoints(HostBuffer columns, int count, int features) =>
        Matrix<double>.Build.Dense(features, count, columns.ToArray()).Transpose();

    private double[] Flatten(HostBuffer[] weights, HostBuffer[] biases)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var values = new double[ParameterCount];
        int offset = 0;
        for (int l = 0; l < weights.Length; l++)
        {
            foreach (var buffer in new[] { weights[l], biases[l] })
            {
                buffer.Slice(0, (int)buffer.Length).CopyTo(values.AsSpan(offset));
                offset += (int)buffer.Length;
            }
        }

        return values;
    }
}
