using GpuNngp.ApiReference;

// Writes the API reference of the shipped assemblies to the path given (docs/api.md), or with
// --check only compares and exits 1 when the file differs.
bool check = args.Contains("--check");
string[] paths = [.. args.Where(a => a != "--check")];
if (paths.Length != 1)
{
    Console.Error.WriteLine($"usage: {ReferenceDocument.Command} [--check]");
    return 2;
}

var document = new ReferenceDocument(ReferenceDocument.ShippedAssemblies());
if (document.Undocumented() is { Count: > 0 } undocumented)
{
    Console.Error.WriteLine($"error: undocumented public API: {string.Join(", ", undocumented)}");
    return 1;
}

string markdown = document.Render();
string path = paths[0];
if (check)
{
    bool current = File.Exists(path) && File.ReadAllText(path) == markdown;
    Console.WriteLine(current ? $"{path} is up to date" : $"{path} is out of date: run {ReferenceDocument.Command}");
    return current ? 0 : 1;
}

// Written beside the target and moved over it, so an interrupted run leaves the old file whole.
string temporary = path + ".tmp";
File.WriteAllText(temporary, markdown);
File.Move(temporary, path, overwrite: true);
Console.WriteLine($"wrote {path}");
return 0;
