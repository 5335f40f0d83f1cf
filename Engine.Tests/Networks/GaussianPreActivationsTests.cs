using GpuNngp.Engine.Architecture;
using GpuNngp.Solvers;
using Xunit;

namespace GpuNngp.Engine.Tests.Networks;

/// <summary>
/// An activation's analytic kernel assumes Gaussian pre-activations: networks that feed an activation
/// the images themselves, another activation's output, a pooling of one, or a residual sum carrying
/// one are refused in one line naming the activation and the source; the networks whose activations
/// all follow a Conv/Dense (directly, through linear layers, or through a sum of such branches) pass.
/// </summary>
public sealed class GaussianPreActivationsTests
{
    private static readonly ConvLayer Conv = Nngp.Conv(3, 3, 1.6, 0.1);

    private static string Refusal(Network network)
    {
        var e = Assert.Throws<NngpInputException>(() => LayerPlan.Compile(network));
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("needs a Gaussian input", e.Message, StringComparison.Ordinal);
        return e.Message;
    }

    [Fact]
    public void APostActivationSkipConnection_ThenAnActivation_IsRefused_NamingBoth()
    {
        // The network of docs/mathematics.md §9 whose analytic kernel (0.70) is not the sampled one (1.18).
        var network = Nngp.Serial(Conv, Nngp.Relu(), Nngp.Residual(Nngp.Serial(Conv), Nngp.IdentityBranch), Nngp.Relu(), Nngp.GlobalAvgPool(), Nngp.Dense(1.6, 0.1));
        string message = Refusal(network);
        Assert.StartsWith("layer 4 (Relu) needs a Gaussian input", message, StringComparison.Ordinal);
        Assert.Contains("receives the output of layer 2 (Relu) through layer 3 (Residual(Conv(3×3, same, 1.6, 0.1) | Identity)), branch 2", message, StringComparison.Ordinal);
        Assert.EndsWith("put a Conv or Dense layer before it", message, StringComparison.Ordinal);
    }

    [Fact]
    public void PreActivationSkipConnections_AsInAWideResNet_Pass()
    {
        // Every branch ends in a Conv or is the identity of a Conv's output: the sum is Gaussian.
        LayerPlan.Compile(Nngp.Serial(
            Conv, Nngp.Residual(Nngp.IdentityBranch, Nngp.Serial(Nngp.Relu(), Conv, Nngp.Erf(), Conv)), Nngp.Relu(),
            Nngp.AvgPool(2, 2), Conv, Nngp.Tanh(), Nngp.Flatten(), Nngp.Dense(1, 0), Nngp.Relu(), Nngp.Dense(1, 0)));
        LayerPlan.Compile(Nngp.Myrtle10());
        LayerPlan.Compile(Nngp.Serial(Conv, Nngp.Residual(Nngp.IdentityBranch, Nngp.Serial(Nngp.AvgPool(3, 3, Padding.Same, 1, 1))), Nngp.Relu(), Nngp.Flatten(), Nngp.Dense(1, 0)));
    }

    [Fact]
    public void NoActivationAfterANonGaussianSum_Passes()
    {
        // A sum of activations read out by Dense is a valid network: Dense makes it Gaussian again.
        LayerPlan.Compile(Nngp.Serial(Conv, Nngp.Relu(), Nngp.Residual(Nngp.Serial(Conv, Nngp.Relu()), Nngp.IdentityBranch), Nngp.Flatten(), Nngp.Dense(1, 0), Nngp.Relu(), Nngp.Dense(1, 0)));
    }

    [Fact]
    public void AnActivationOnTheImages_OrAfterAnother_OrAfterAPoolingOfOne_IsRefused()
    {
        Assert.StartsWith("layer 1 (Relu) needs a Gaussian input (the output of a Conv or Dense layer, or a residual sum of such branches) but receives the input itself",
            Refusal(Nngp.Serial(Nngp.Relu(), Conv, Nngp.Flatten(), Nngp.Dense(1, 0))), StringComparison.Ordinal);
        Assert.Contains("layer 3 (Erf) needs a Gaussian input (the output of a Conv or Dense layer, or a residual sum of such branches) but receives the output of layer 2 (Relu):",
            Refusal(Nngp.Serial(Conv, Nngp.Relu(), Nngp.Erf(), Nngp.Flatten(), Nngp.Dense(1, 0))), StringComparison.Ordinal);
        Assert.Contains("layer 4 (Relu) needs a Gaussian input (the output of a Conv or Dense layer, or a residual sum of such branches) but receives the output of layer 2 (Tanh) through layer 3 (AvgPool(2×2",
            Refusal(Nngp.Serial(Conv, Nngp.Tanh(), Nngp.AvgPool(2, 2), Nngp.Relu(), Nngp.Flatten(), Nngp.Dense(1, 0))), StringComparison.Ordinal);
        Assert.Contains("but receives the output of layer 2 (Relu) through layer 3 (GlobalAvgPool)",
            Refusal(Nngp.Serial(Conv, Nngp.Relu(), Nngp.GlobalAvgPool(), Nngp.Relu(), Nngp.Dense(1, 0))), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryBranchIsChecked_EvenAfterANonGaussianOne()
    {
        // Branch 1 (identity of a ReLU's output) already makes the sum non-Gaussian; branch 2's own ReLU must still be refused.
        var network = Nngp.Serial(Conv, Nngp.Relu(), Nngp.Residual(Nngp.IdentityBranch, Nngp.Serial(Nngp.Relu(), Conv)), Nngp.Flatten(), Nngp.Dense(1, 0));
        Assert.StartsWith("layer 3 (Residual(Identity | Relu → Conv(3×3, same, 1.6, 0.1))), branch 2, layer 1 (Relu) needs a Gaussian input", Refusal(network), StringComparison.Ordinal);
    }

    [Fact]
    public void TheEnginesEntryPoints_RefuseIt()
    {
        var network = Nngp.Serial(Conv, Nngp.Relu(), Nngp.Relu(), Nngp.Flatten(), Nngp.Dense(1, 0));
        Assert.Contains("needs a Gaussian input", Assert.Throws<NngpInputException>(network.Validate).Message, StringComparison.Ordinal);
        using var engine = NngpEngine.Create(DeviceKind.Cpu, HostLinearAlgebra.Managed);
        var x = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(2, 9, (i, j) => i + j);
        Assert.Contains("needs a Gaussian input", Assert.Throws<NngpInputException>(() => engine.Kernel(network.OnImages(3, 3, 1), x, x, cancellationToken: TestContext.Current.CancellationToken)).Message, StringComparison.Ordinal);
    }
}
