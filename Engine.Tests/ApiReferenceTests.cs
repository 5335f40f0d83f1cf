using System.Reflection;
using System.Xml.Linq;
using GpuNngp.ApiReference;
using Xunit;

namespace GpuNngp.Engine.Tests;

/// <summary>
/// docs/api.md is what tools/ApiReference writes from this build's assemblies and XML documentation,
/// so a change to the public API or its comments that is not regenerated fails here; and the tool's
/// reflection finds the compiler's documentation of every member, internal ones included.
/// </summary>
public sealed class ApiReferenceTests
{
    private const BindingFlags Everything = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    [Fact]
    public void TheCheckedInReference_IsTheOneThisBuildGenerates()
    {
        string path = Path.Combine(RepositorySources.Root(), "docs", "api.md");
        string expected = new ReferenceDocument(ReferenceDocument.ShippedAssemblies()).Render();
        string[] actual = File.Exists(path) ? File.ReadAllText(path).Split('\n') : [];
        string[] wanted = expected.Split('\n');
        int first = Enumerable.Range(0, Math.Max(actual.Length, wanted.Length))
            .FirstOrDefault(i => i >= actual.Length || i >= wanted.Length || actual[i] != wanted[i], -1);
        Assert.True(first < 0,
            $"docs/api.md is out of date from line {first + 1} (\"{Line(actual, first)}\", generated \"{Line(wanted, first)}\"): run {ReferenceDocument.Command}");
    }

    [Fact]
    public void EveryPublicTypeAndMemberOfTheShippedAssemblies_HasASummary() =>
        Assert.Empty(new ReferenceDocument(ReferenceDocument.ShippedAssemblies()).Undocumented());

    [Fact]
    public void TheShippedAssemblies_AreTheEngineAndTheTwoItReferences() =>
        Assert.Equal(
            ["GpuNngp.Engine", "GpuNngp.Kernels", "GpuNngp.Solvers"],
            ReferenceDocument.ShippedAssemblies().Select(a => a.GetName().Name));

    /// <summary>
    /// The compiler's IDs are the independent side: every member it documented in the three XML files
    /// (generic methods, in-parameters, nested and generic types included) is an ID the tool computes
    /// for some reflected member, so no documentation is lost to a mis-spelt ID.
    /// </summary>
    [Fact]
    public void EveryIdTheCompilerWrote_IsComputedFromReflection()
    {
        foreach (Assembly assembly in ReferenceDocument.ShippedAssemblies())
        {
            var written = XDocument.Load(Path.ChangeExtension(assembly.Location, ".xml")).Descendants("member")
                .Select(m => (string)m.Attribute("name")!).ToHashSet(StringComparer.Ordinal);
            var computed = assembly.GetTypes()
                .SelectMany(t => t.GetMembers(Everything).Append(t))
                .Select(DocumentationIds.Of)
                .ToHashSet(StringComparer.Ordinal);
            var missed = written.Except(computed).Order(StringComparer.Ordinal).ToList();
            Assert.True(written.Count > 50, $"{assembly.GetName().Name}: only {written.Count} documented members");
            Assert.True(missed.Count == 0, $"{assembly.GetName().Name}: {missed.Count} IDs not computed, e.g. {string.Join(", ", missed.Take(5))}");
        }
    }

    [Fact]
    public void ADeclaration_ReadsAsItsSource()
    {
        var signatures = new CSharpSignatures();
        MethodInfo conv = typeof(Nngp).GetMethod(nameof(Nngp.Conv))!;
        Assert.Equal(
            "public static ConvLayer Conv(int filterHeight, int filterWidth, double weightVariance, double biasVariance, Padding padding = Padding.Same, int strideHeight = 1, int strideWidth = 1)",
            signatures.Declaration(conv));
        Assert.Equal(
            "public static ActivationLayer ActivationByName(string name, double slope = 0.01)",
            signatures.Declaration(typeof(Nngp).GetMethod(nameof(Nngp.ActivationByName))!));
        Assert.Equal(
            "public sealed record DenseLayer(double WeightVariance, double BiasVariance) : IEquatable<DenseLayer>, ILayer",
            signatures.Declaration(typeof(DenseLayer)));
        Assert.Equal(
            "public static ActivationLayer Custom(string name, Func<double, double> value, Func<double, double>? derivative = null)",
            signatures.Declaration(typeof(Nngp).GetMethod(nameof(Nngp.Custom))!));
        Assert.Equal("public static Network Serial(params ILayer[] layers)", signatures.Declaration(typeof(Nngp).GetMethod(nameof(Nngp.Serial))!));
        Assert.Equal("public double this[int row, int column] { get; }", signatures.Declaration(typeof(HostMatrix).GetProperty("Item")!));
        Assert.Equal("M:GpuNngp.HostMatrix.Column(System.Int32)", DocumentationIds.Of(typeof(HostMatrix).GetMethod(nameof(HostMatrix.Column))!));
    }

    private static string Line(string[] lines, int index) => index >= 0 && index < lines.Length ? lines[index] : "(end of file)";
}
