namespace GpuNngp.Kernels;

/// <summary>
/// φ and φ' of the built-in activations, for quadrature. System.Math calls here are remapped to
/// ILGPU.Algorithms' implementations inside GPU kernels.
/// </summary>
public static class PointwiseActivation
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
                return Math.Tanh(x);
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
                double t = Math.Tanh(x);
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
