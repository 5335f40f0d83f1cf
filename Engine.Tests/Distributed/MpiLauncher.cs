using System.Diagnostics;
using GpuNngp.Cli;

namespace GpuNngp.Engine.Tests.Distributed;

/// <summary>
/// Starts `nngp` (the CLI assembly beside the tests) as an MPI job through mpirun, and says why not
/// where mpirun or ScaLAPACK is absent. Each rank runs one OpenBLAS thread (several ranks share the
/// cores); a job that outlives its limit is killed and fails the test.
/// </summary>
internal static class MpiLauncher
{
    private static readonly Lazy<string?> Absent = new(FindAbsent);

    /// <summary>Why the MPI tests cannot run here, or null where they can.</summary>
    public static string? UnavailableReason => Absent.Value;

    private static string? FindAbsent()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "the distributed provider binds Open MPI on Linux";
        }

        if (FindOnPath("mpirun") is null)
        {
            return "mpirun is not installed (apt-get install openmpi-bin libscalapack-openmpi-dev; .ci/run installs them)";
        }

        return System.Runtime.InteropServices.NativeLibrary.TryLoad("libscalapack-openmpi.so.2.2", out nint handle) && handle != 0
            ? null
            : "libscalapack-openmpi.so.2.2 is not installed (apt-get install libscalapack-openmpi-dev)";
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name)).FirstOrDefault(File.Exists);

    /// <summary>
    /// <c>mpirun -np <paramref name="ranks"/> nngp <paramref name="args"/></c>; with
    /// <paramref name="otherRanks"/>, one more rank (MPMD, after a colon) runs those arguments instead.
    /// Returns the exit code and stdout and stderr together.
    /// </summary>
    public static (int ExitCode, string Output) Run(int ranks, string[] args, string[]? otherRanks = null, IReadOnlyDictionary<string, string>? environment = null, int timeoutSeconds = 120)
    {
        var arguments = new List<string> { "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), Dotnet, Cli };
        arguments.AddRange(args);
        if (otherRanks is not null)
        {
            arguments.AddRange([":", "-np", "1", Dotnet, Cli]);
            arguments.AddRange(otherRanks);
        }

        return Launch("mpirun", arguments, environment, timeoutSeconds, $"mpirun -np {ranks} nngp {string.Join(' ', args)}");
    }

    /// <summary><c>nngp <paramref name="args"/></c> in a process of its own, without mpirun (the GPU ranks' one rank without MPI).</summary>
    public static (int ExitCode, string Output) RunAlone(string[] args, IReadOnlyDictionary<string, string>? environment = null, int timeoutSeconds = 120) =>
        Launch(Dotnet, [Cli, .. args], environment, timeoutSeconds, $"nngp {string.Join(' ', args)}");

    private static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static string Cli => typeof(NngpCommandLine).Assembly.Location;

    private static (int ExitCode, string Output) Launch(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, int timeoutSeconds, string what)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["OPENBLAS_NUM_THREADS"] = "1";
        start.Environment["TERM"] = "dumb";
        start.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{what} ran past {timeoutSeconds} s");
        }

        return (process.ExitCode, output.Result + error.Result);
    }
}
