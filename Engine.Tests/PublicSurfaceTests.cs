using System.Text.RegularExpressions;
using GpuNngp.Kernels;
using GpuNngp.Solvers;
using Xunit;

namespace GpuNngp.Engine.Tests;

/// <summary>
/// One door for users and a house a provider moves into: everything the core exports is in the
/// namespace GpuNngp; the kernel mathematics and the native bindings export almost nothing; and
/// the CPU and GPU providers never import each other (they meet only in the pipeline's interface).
/// </summary>
public sealed partial class PublicSurfaceTests
{
    [GeneratedRegex(@"(using\s+(static\s+)?|global::)?GpuNngp\.Engine\.(?<provider>Cpu|Gpu)\b")]
    private static partial Regex ProviderNamespace();

    [Fact]
    public void EveryPublicTypeOfTheCore_IsInTheGpuNngpNamespace()
    {
        var exported = typeof(NngpEngine).Assembly.GetExportedTypes();
        Assert.Contains(typeof(Nngp), exported);
        Assert.Contains(typeof(KernelKind), typeof(LayerRecursion).Assembly.GetExportedTypes());
        Assert.All(exported, type => Assert.Equal("GpuNngp", type.Namespace));
    }

    [Fact]
    public void TheKernelsAssemblyExportsAtMostThreeTypes_AndTheSolversNone()
    {
        var kernels = typeof(LayerRecursion).Assembly.GetExportedTypes();
        Assert.True(kernels.Length <= 3, $"Kernels exports {kernels.Length} types: {string.Join(", ", kernels.Select(t => t.Name))}");
        Assert.All(kernels, type => Assert.Equal("GpuNngp", type.Namespace));
        Assert.Empty(typeof(HostBuffer).Assembly.GetExportedTypes());
    }

    [Theory]
    [InlineData("using GpuNngp.Engine.Cpu;", "Cpu")]
    [InlineData("var map = new GpuNngp.Engine.Gpu.GpuKernels(accelerator);", "Gpu")]
    [InlineData("global::GpuNngp.Engine.Cpu.HostKernelMap.MapRectangle(", "Cpu")]
    public void TheScan_FindsEitherProvidersNamespace(string line, string provider) =>
        Assert.Equal(provider, ProviderNamespace().Match(line).Groups["provider"].Value);

    [Theory]
    [InlineData("Engine/Gpu", "Cpu")]
    [InlineData("Engine/Cpu", "Gpu")]
    [InlineData("Engine/Pipeline", "Cpu")]
    [InlineData("Engine/Pipeline", "Gpu")]
    public void AProviderNeverNamesTheOther_AndThePipelineNamesNeither(string folder, string forbidden)
    {
        var found = new List<string>();
        foreach (string file in RepositorySources.Files(folder))
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                foreach (Match match in ProviderNamespace().Matches(lines[i]))
                {
                    if (match.Groups["provider"].Value == forbidden)
                    {
                        found.Add($"{Path.GetRelativePath(RepositorySources.Root(), file)}:{i + 1}: {lines[i].Trim()}");
                    }
                }
            }
        }

        Assert.True(RepositorySources.Files(folder).Any(), $"no sources under {folder}");
        Assert.True(found.Count == 0, string.Join(Environment.NewLine, found));
    }
}
