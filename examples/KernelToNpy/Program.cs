using GpuNngp;
using GpuNngp.Data;
using MathNet.Numerics.LinearAlgebra;

// The NNGP and NTK kernel matrices of a depth-3 ReLU network on 50 random 10-dimensional inputs,
// written as K_nngp.npy and K_ntk.npy into the folder named by the first argument (the current one
// by default); numpy.load reads them. Inputs are used exactly as given: scale them as you need.
string folder = args.Length > 0 ? args[0] : ".";
var x = Matrix<double>.Build.Random(50, 10, seed: 7);
var net = Nngp.FullyConnected(3, Nngp.Relu(), 2.0, 0.1);

using var engine = NngpEngine.Create(DeviceKind.Auto);
Console.WriteLine(engine.DeviceChoice);
foreach (var kind in new[] { KernelKind.Nngp, KernelKind.Ntk })
{
    var kernel = engine.Kernel(net, x, null, kind);   // K(x, x); engine.Kernel(net, x1, x2, kind) for a cross kernel
    string path = Path.Combine(folder, $"K_{kind.ToString().ToLowerInvariant()}.npy");
    NpyWriter.Write(path, kernel);
    Console.WriteLine($"{path}: {kernel.RowCount}×{kernel.ColumnCount} {kind} kernel, K[0,0] = {kernel[0, 0]:G6}, K[0,1] = {kernel[0, 1]:G6}");
}
