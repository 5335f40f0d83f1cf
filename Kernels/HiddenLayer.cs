using System.Runtime.InteropServices;

namespace GpuNngp.Kernels;

/// <summary>One hidden layer of the recursion: an activation followed by the dense layer it feeds.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct HiddenLayer(Activation Activation, DenseVariances Dense);
