using System.Reflection;
using GpuNngp.Kernels.Device;
using ILGPU;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using Xunit;

namespace GpuNngp.Engine.Tests.Gpu;

/// <summary>
/// Every kernel instantiation the GPU backend launches (the rows of <see cref="DeviceKernelCatalog"/>:
/// closed-form, quadrature and tabulated views; NNGP and NTK are a runtime argument of the same kernels)
/// compiles to PTX for SM_90. Needs no GPU and no driver: ILGPU's PTX backend is built from a context
/// without a device, so CI runs it too.
/// </summary>
public sealed class PtxCompilationTests
{
    public static TheoryData<string> Variants => new(DeviceKernelCatalog.Variants.Select(v => v.Name));

    [Theory]
    [MemberData(nameof(Variants))]
    public void Kernel_CompilesToPtxForSm90(string name)
    {
        var variant = DeviceKernelCatalog.Variants.Single(v => v.Name == name);
        var architecture = CudaArchitecture.SM_90;
        var instructionSet = CudaAccelerator.GetInstructionSet(architecture, CudaDriverVersion.FromMajorMinor(12, 8));
        var (compiled, backendArchitecture) = Compile(variant, architecture, instructionSet);

        // ILGPU writes the lowest architecture that has the capabilities the kernel uses (for any
        // device of CC ≥ 8.0 that is sm_80, as on the H100 itself); the driver JIT-compiles it for sm_90.
        var capabilities = new CudaCapabilityContext(architecture);
        Assert.Equal(architecture, backendArchitecture);
        Assert.Contains($".version {instructionSet}", compiled.PTXAssembly, StringComparison.Ordinal);
        Assert.Contains($".target {capabilities.TargetArchitecture.ToString().ToLowerInvariant()}", compiled.PTXAssembly, StringComparison.Ordinal);
        Assert.True(capabilities.TargetArchitecture <= architecture);
        Assert.Contains($".entry {compiled.Name}", compiled.PTXAssembly, StringComparison.Ordinal);
        if (OverDoubles(variant.Kernel))
        {
            Assert.Contains("f64", compiled.PTXAssembly, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("sqrt.approx", compiled.PTXAssembly, StringComparison.Ordinal);
    }

    [Fact]
    public void TheCatalogNamesEachLaunchedKernelOnce()
    {
        var variants = DeviceKernelCatalog.Variants;
        Assert.Equal(variants.Count, variants.Select(v => v.Name).Distinct().Count());
        Assert.Equal(variants.Count, variants.Select(v => v.Kernel).Distinct().Count());
        Assert.All(variants, v => Assert.False(v.Method.ContainsGenericParameters, v.Name));
        Assert.All(variants, v => Assert.Equal(v.Kernel, v.Method.GetParameters()[^1].ParameterType));
        Assert.Equal(["Fill<long>"], variants.Where(v => !OverDoubles(v.Kernel)).Select(v => v.Name)); // the f64 check above skips only it
    }

    [Fact]
    public void AKernelWithoutARow_IsRefused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => DeviceKernelCatalog.Of(typeof(FillKernel<double>)));
        Assert.Contains("no row", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The PTX of a catalog row for SM_90 (CUDA 12.8's instruction set), from a context without a device.</summary>
    internal static PTXCompiledKernel Compile(DeviceKernelVariant variant) =>
        Compile(variant, CudaArchitecture.SM_90, CudaAccelerator.GetInstructionSet(CudaArchitecture.SM_90, CudaDriverVersion.FromMajorMinor(12, 8))).Kernel;

    private static (PTXCompiledKernel Kernel, CudaArchitecture Architecture) Compile(DeviceKernelVariant variant, CudaArchitecture architecture, CudaInstructionSet instructionSet)
    {
        using var context = DeviceContexts.Create(builder => builder);
        using var backend = new PTXBackend(context, new CudaCapabilityContext(architecture), architecture, instructionSet, nvvmAPI: null);
        return ((PTXCompiledKernel)backend.Compile(variant.Description, KernelSpecialization.Empty), backend.Architecture);
    }

    /// <summary>Whether the kernel reads or writes doubles (a view of doubles among its arguments, nested views included).</summary>
    private static bool OverDoubles(Type kernel) =>
        kernel == typeof(ArrayView<double>)
        || (kernel.IsValueType && !kernel.IsPrimitive && !kernel.IsEnum && kernel.Namespace != "ILGPU"
            && kernel.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public).Any(f => OverDoubles(f.FieldType)));
}
