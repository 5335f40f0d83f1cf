namespace GpuNngp.Kernels;

/// <summary>
/// φ and φ' of the built-in activations, for quadrature. System.Math calls here are remapped to
/// ILGPU.Algorithms' implementations inside GPU kernels.
/// </summary>
internal static class PointwiseActivation
{
    public static double Value(Activation activation, double x)
    {
        switch (activation.Kind)
        {
            case ActivationKind.Identity:
                return x;
            case ActivationKind.AbRelu:
                return x < 0 ? activation.NegativeSlope * x : activation.PositiveSlope * x;
            case ActivationKind.Tanh:
                return Tanh(x);
            case ActivationKind.Softplus:
                return x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));
            case ActivationKind.Sigmoid:
                return Logistic(x);
            case ActivationKind.Swish:
                return x * Logistic(x);
            default:
                return double.NaN;
        }
    }

    public static double Derivative(Activation activation, double x)
    {
        switch (activation.Kind)
        {
            case ActivationKind.Identity:
                return 1;
            case ActivationKind.AbRelu:
                return x < 0 ? activation.NegativeSlope : activation.PositiveSlope;
            case ActivationKind.Tanh:
                double t = Tanh(x);
                return 1 - t * t;
            case ActivationKind.Softplus:
                return Logistic(x);
            case ActivationKind.Sigmoid:
                double s = Logistic(x);
                return s * (1 - s);
            case ActivationKind.Swish:
                double g = Logistic(x);
                return g + x * g * (1 - g);
            default:
                return double.NaN;
        }
    }

    /// <summary>
    /// tanh, exactly ±1 beyond |x| = 20 (the double nearest tanh(20) is already 1, so the CPU's result
    /// is unchanged). On the device ILGPU computes tanh as (e^{2x} − 1)/(e^{2x} + 1), which is NaN
    /// once e^{2x} overflows (x ≳ 355): quadrature reaches such x at large pre-activation variances.
    /// </summary>
    private static double Tanh(double x) => x > 20 ? 1 : (x < -20 ? -1 : Math.Tanh(x));

    private static double Logistic(double x)
    {
        // Written so that exp never overflows.
        if (x >= 0)
        {
            return 1 / (1 + Math.Exp(-x));
        }

        double e = Math.Exp(x);
        return e / (1 + e);
    }
}
