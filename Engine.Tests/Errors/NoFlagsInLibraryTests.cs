using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace GpuNngp.Engine.Tests.Errors;

/// <summary>
/// The library projects word their messages in API names, never in the command line's flags
/// (the command line maps parameters to flags): no string literal in Engine/, Kernels/ or Solvers/
/// quotes a <c>--flag</c>. Comments may (they document the command line).
/// </summary>
public sealed partial class NoFlagsInLibraryTests
{
    private static readonly string[] LibraryFolders = ["Engine", "Kernels", "Solvers", "Data", "Experiments"];

    [GeneratedRegex(@"(?<![\w-])--[a-z][a-z0-9-]*")]
    private static partial Regex Flag();

    [Fact]
    public void NoStringLiteralInTheLibraryQuotesACommandLineFlag()
    {
        string root = RepositorySources.Root();
        var found = new List<string>();
        int files = 0;
        foreach (string folder in LibraryFolders)
        {
            foreach (string file in RepositorySources.Files(folder))
            {
                files++;
                found.AddRange(FlagsInStringLiterals(File.ReadAllText(file)).Select(hit => $"{Path.GetRelativePath(root, file)}:{hit.Line}: {hit.Flag}"));
            }
        }

        Assert.True(files > 50, $"found only {files} source files under {root}");
        Assert.True(found.Count == 0, $"library strings quote command-line flags:\n{string.Join('\n', found)}");
    }

    [Fact]
    public void TheScan_FindsAFlagInEveryKindOfLiteral_AndNoneInComments()
    {
        const string Source = """"
            // a comment may say --noise
            /* and so may --device here */
            /// <summary>also --resume in a doc comment</summary>
            class C
            {
                string a = "add noise (--noise)";
                string b = $"--device {0} gpu";
                string c = @"use --split first";
                string d = "\"--resume\"";
                string e = "a range 1--2 and x-- are no flags";
                string f = $$"""{{1}} --csv""";
            }
            """";
        var hits = FlagsInStringLiterals(Source).ToList();
        Assert.Equal(["--noise", "--device", "--split", "--resume", "--csv"], hits.Select(h => h.Flag));
        Assert.Equal([6, 7, 8, 9, 11], hits.Select(h => h.Line));
    }

    /// <summary>Every --flag inside a string literal (regular, verbatim, interpolated, raw) with its 1-based line.</summary>
    private static IEnumerable<(int Line, string Flag)> FlagsInStringLiterals(string source)
    {
        var tree = CSharpSyntaxTree.ParseText(source);
        foreach (var token in tree.GetRoot().DescendantTokens())
        {
            if (token.Kind() is SyntaxKind.StringLiteralToken or SyntaxKind.InterpolatedStringTextToken or SyntaxKind.SingleLineRawStringLiteralToken
                or SyntaxKind.MultiLineRawStringLiteralToken or SyntaxKind.Utf8StringLiteralToken or SyntaxKind.CharacterLiteralToken)
            {
                foreach (Match match in Flag().Matches(token.Text))
                {
                    int line = tree.GetLineSpan(new Microsoft.CodeAnalysis.Text.TextSpan(token.SpanStart + match.Index, match.Length)).StartLinePosition.Line + 1;
                    yield return (line, match.Value);
                }
            }
        }
    }
}
