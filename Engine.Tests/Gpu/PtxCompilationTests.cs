using GpuNngp.Kernels.Device;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using Xunit;

namespace GpuNngp.Engine.Tests.Gpu;

/// <summary>
/// Every kernel instantiation the GPU backend launches (closed-form and quadrature views; NNGP and
/// NTK are a runtime argument of the same kernels) compiles to PTX for SM_90. Needs no GPU and no
/// driver: ILGPU's PTX backend is built from a context without a device, so CI runs it too.
/// </summary>
public sealed class PtxCompilationTests
{
    public static TheoryData<string> EntryPoints
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var entry in DeviceContexts.EntryPoints)
            {
                data.Add(entry.Name);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(EntryPoints))]
    public void Kernel_CompilesToPtxForSm90(string name)
    {
        var entry = DeviceContexts.EntryPoints.Single(e => e.Name == name);
        using var context = DeviceContexts.Create(builder => builder);
        var architecture = CudaArchitecture.SM_90;
        var instructionSet = CudaAccelerator.GetInstructionSet(architecture, CudaDriverVersion.FromMajorMinor(12, 8));
        using var backend = new PTXBackend(context, new CudaCapabilityContext(architecture), architecture, instructionSet, nvvmAPI: null);

        var compiled = (PTXCompiledKernel)backend.Compile(entry.Description, KernelSpecialization.Empty);

        // ILGPU writes the lowest architecture that has the capabilities the kernel uses (for any
        // device of CC ≥ 8.0 that is sm_80, as on the H100 itself); the driver JIT-compiles it for sm_90.
        var capabilities = new CudaCapabilityContext(architecture);
        Assert.Equal(architecture, backend.Architecture);
        Assert.Contains($".version {instructionSet}", compiled.PTXAssembly, StringComparison.Ordinal);
        Assert.Contains($".target {capabilities.TargetArchitecture.ToString().ToLowerInvariant()}", compiled.PTXAssembly, StringComparison.Ordinal);
        Assert.True(capabilities.TargetArchitecture <= architecture);
        Assert.Contains($".entry {compiled.Name}", compiled.PTXAssembly, StringComparison.Ordinal);
        Assert.Contains("f64", compiled.PTXAssembly, StringComparison.Ordinal);
        Assert.DoesNotContain("sqrt.approx", compiled.PTXAssembly, StringComparison.Ordinal);
    }

    [Fact]
    public void TheCatalogNamesEachLaunchedKernelOnce()
    {
        Assert.Equal(DeviceContexts.EntryPoints.Count, DeviceContexts.EntryPoints.Select(e => e.Name).Distinct().Count());
        Assert.All(DeviceContexts.EntryPoints, e => Assert.False(e.Method.ContainsGenericParameters, e.Name));
    }
}
