namespace GpuNngp.Engine.Tests;

/// <summary>The C# sources of the checkout the tests were built from, for the tests that read the code itself.</summary>
internal static class RepositorySources
{
    /// <summary>The first folder above the test assembly holding GpuNngp.sln.</summary>
    public static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GpuNngp.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no GpuNngp.sln above {AppContext.BaseDirectory}: the sources cannot be read");
    }

    /// <summary>Every .cs file under <paramref name="folder"/> (relative to the root), build outputs excluded.</summary>
    public static IEnumerable<string> Files(string folder) =>
        Directory.EnumerateFiles(Path.Combine(Root(), folder), "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
}
