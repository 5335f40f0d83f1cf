using GpuNngp.Kernels;
using MathNet.Numerics;

namespace GpuNngp.Engine.Tests.Kernels;

/// <summary>Pointwise φ and φ′ written out independently of the engine, and a one-layer quadrature view.</summary>
internal static class Activations
{
    private static readonly double InvSqrtTwoPi = 1 / Math.Sqrt(2 * Math.PI);

    public static double Erf(double x) => SpecialFunctions.Erf(x);

    public static double ErfDerivative(double x) => 2 / Math.Sqrt(Math.PI) * Math.Exp(-x * x);

    /// <summary>Φ(x), the standard normal CDF.</summary>
    public static double NormalCdf(double x) => 0.5 * SpecialFunctions.Erfc(-x / Math.Sqrt(2));

    public static double Gelu(double x) => x * NormalCdf(x);

    public static double GeluDerivative(double x) => NormalCdf(x) + x * Math.Exp(-0.5 * x * x) * InvSqrtTwoPi;

    public static Func<double, double> AbRelu(double a, double b) => x => x < 0 ? a * x : b * x;

    public static Func<double, double> AbReluDerivative(double a, double b) => x => x < 0 ? a : b;

    /// <summary>A one-hidden-layer view whose activation is a user delegate: the engine's quadrature path.</summary>
    public static HostNetworkView CustomView(Func<double, double> phi, Func<double, double> derivative, QuadratureRule rule) =>
        new(
            new DenseVariances(1, 0),
            [new HiddenLayer(new Activation(ActivationKind.Custom), new DenseVariances(1, 0))],
            rule,
            [phi],
            [derivative]);

    /// <summary>A one-hidden-layer view of a built-in activation (φ from PointwiseActivation).</summary>
    public static HostNetworkView BuiltInView(Activation activation, QuadratureRule rule) =>
        new(new DenseVariances(1, 0), [new HiddenLayer(activation, new DenseVariances(1, 0))], rule);

    public static DualMoments Quadrature(HostNetworkView view, double k12, double k11, double k22) =>
        DualQuadrature.Evaluate(view, 0, k12, k11, k22, withDerivative: true);
}
