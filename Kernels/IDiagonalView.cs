namespace GpuNngp.Kernels;

/// <summary>
/// The per-point variances q_l(x) = K^l(x, x) entering each hidden layer's activation, stored
/// layer-major (index layer·count + point) so neighbouring GPU threads read neighbouring words.
/// </summary>
internal interface IDiagonalView
{
    double Variance(int layer, int point);
}
