using System.Reflection;
using GpuNngp.Data;
using GpuNngp.Experiments.Selection;
using Xunit;

namespace GpuNngp.Engine.Tests;

/// <summary>
/// The assemblies keep the architecture docs/architecture.md draws: the GP core uses neither the
/// data formats nor the experiments, and the MNIST sample (CC BY-SA 3.0) ships in an assembly of
/// its own that neither the core nor the data formats (both packed) embed or reference.
/// </summary>
public sealed class ProjectLayoutTests
{
    private static readonly Assembly Core = typeof(NngpEngine).Assembly;
    private static readonly Assembly DataAssembly = typeof(Datasets).Assembly;
    private static readonly Assembly ExperimentsAssembly = typeof(HyperparameterSearch).Assembly;

    [Fact]
    public void TheCoreReferencesNeitherTheDataNorTheExperimentsAssembly()
    {
        var referenced = Core.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.DoesNotContain(DataAssembly.GetName().Name, referenced);
        Assert.DoesNotContain(ExperimentsAssembly.GetName().Name, referenced);
        Assert.DoesNotContain(ExperimentsAssembly.GetName().Name, DataAssembly.GetReferencedAssemblies().Select(a => a.Name));
    }

    [Fact]
    public void TheMnistSampleIsEmbeddedInItsOwnAssemblyOnly()
    {
        var sample = Assembly.Load(Datasets.Mnist10kAssembly);

        Assert.Equal(
            ["GpuNngp.Data.Mnist10k.mnist10k-images-idx3-ubyte.gz", "GpuNngp.Data.Mnist10k.mnist10k-labels-idx1-ubyte.gz"],
            sample.GetManifestResourceNames().Order(StringComparer.Ordinal));
        foreach (var packed in new[] { Core, DataAssembly, typeof(global::GpuNngp.Kernels.Activation).Assembly, typeof(global::GpuNngp.Solvers.HostLinearAlgebra).Assembly })
        {
            Assert.DoesNotContain(packed.GetManifestResourceNames(), name => name.Contains("mnist", StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(Datasets.Mnist10kAssembly, packed.GetReferencedAssemblies().Select(a => a.Name));
        }
    }
}
