using System.Reflection;
using GpuNngp.Data;
using GpuNngp.Experiments.Selection;
using Xunit;

namespace GpuNngp.Engine.Tests;

/// <summary>
/// The assemblies keep the architecture docs/architecture.md draws: the GP core uses neither the
/// data formats nor the experiments, and the MNIST sample (CC BY-SA 3.0) ships with the data
/// assembly, not with the core.
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
    public void TheMnistSampleIsEmbeddedInTheDataAssemblyOnly()
    {
        Assert.DoesNotContain(Core.GetManifestResourceNames(), name => name.Contains("mnist", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("GpuNngp.Data.mnist10k-images-idx3-ubyte.gz", DataAssembly.GetManifestResourceNames());
        Assert.Contains("GpuNngp.Data.mnist10k-labels-idx1-ubyte.gz", DataAssembly.GetManifestResourceNames());
    }
}
