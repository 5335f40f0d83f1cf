using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace GpuNngp.ApiReference;

/// <summary>
/// One XML documentation element as Markdown text: crefs become links to the reference's own
/// anchors (or code where the target is not in it), &lt;c&gt; and parameter references code, &lt;para&gt;
/// paragraphs, &lt;list&gt; bullets, &lt;code&gt; fenced blocks; the source's line breaks are not kept.
/// </summary>
internal sealed partial class InlineMarkdown(IReadOnlyDictionary<string, string> anchors)
{
    // Markers that survive the whitespace folding and become the Markdown structure afterwards.
    private const char Paragraph = '\u0001';
    private const char Bullet = '\u0002';
    private const char Block = '\u0003';

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"[\\`*<>\[\]|]")]
    private static partial Regex MarkdownPunctuation();

    /// <summary>The element's content as Markdown (paragraphs separated by a blank line), or "" for none.</summary>
    public string Render(XElement? element)
    {
        if (element is null)
        {
            return "";
        }

        var blocks = new List<string>();
        var text = new StringBuilder();
        foreach (XNode node in element.Nodes())
        {
            Append(text, node, blocks);
        }

        string folded = Whitespace().Replace(text.ToString(), " ");
        var paragraphs = folded.Split(Paragraph)
            .Select(p => string.Join("\n- ", p.Split(Bullet).Select(line => line.Trim())).Trim())
            .Where(p => p.Length > 0);
        string markdown = string.Join("\n\n", paragraphs);
        for (int i = 0; i < blocks.Count; i++)
        {
            markdown = markdown.Replace($"{Block}{i}{Block}", blocks[i], StringComparison.Ordinal);
        }

        return markdown;
    }

    /// <summary>How a cref is shown: the type's name, or Type.Member, without namespaces or parameters.</summary>
    public static string DisplayName(string id)
    {
        string name = id.Length > 2 && id[1] == ':' ? id[2..] : id;
        int parameters = name.IndexOf('(', StringComparison.Ordinal);
        if (parameters >= 0)
        {
            name = name[..parameters];
        }

        name = Regex.Replace(name, "`+[0-9]+", "");
        string[] parts = name.Split('.');
        bool isType = id.StartsWith("T:", StringComparison.Ordinal);
        string display = isType || parts.Length < 2 ? parts[^1] : $"{parts[^2]}.{parts[^1]}";
        return display.Replace(".#ctor", "", StringComparison.Ordinal);
    }

    private void Append(StringBuilder text, XNode node, List<string> blocks)
    {
        if (node is XText plain)
        {
            text.Append(MarkdownPunctuation().Replace(plain.Value, @"\$0"));
            return;
        }

        if (node is not XElement element)
        {
            return;
        }

        switch (element.Name.LocalName)
        {
            case "c":
                text.Append(Code(element.Value));
                break;
            case "paramref" or "typeparamref":
                text.Append(Code((string?)element.Attribute("name") ?? ""));
                break;
            case "see" or "seealso":
                text.Append(See(element));
                break;
            case "code":
                blocks.Add($"```csharp\n{Dedent(element.Value)}\n```");
                text.Append($"{Paragraph}{Block}{blocks.Count - 1}{Block}{Paragraph}");
                break;
            case "para":
                text.Append(Paragraph);
                AppendChildren(text, element, blocks);
                text.Append(Paragraph);
                break;
            case "list":
                text.Append(Paragraph);
                foreach (XElement item in element.Elements("item"))
                {
                    text.Append(Bullet);
                    AppendChildren(text, item, blocks);
                }

                text.Append(Paragraph);
                break;
            default:
                AppendChildren(text, element, blocks);
                break;
        }
    }

    private void AppendChildren(StringBuilder text, XElement element, List<string> blocks)
    {
        foreach (XNode child in element.Nodes())
        {
            Append(text, child, blocks);
            text.Append(child is XElement { Name.LocalName: "term" } ? " — " : "");
        }
    }

    private string See(XElement element)
    {
        if ((string?)element.Attribute("langword") is { } keyword)
        {
            return Code(keyword);
        }

        if ((string?)element.Attribute("href") is { } href)
        {
            string label = element.Value.Length > 0 ? element.Value : href;
            return $"[{MarkdownPunctuation().Replace(label, @"\$0")}]({href})";
        }

        string cref = (string?)element.Attribute("cref") ?? "";
        string shown = element.Value.Length > 0 ? MarkdownPunctuation().Replace(element.Value, @"\$0") : Code(DisplayName(cref));
        return anchors.TryGetValue(cref, out string? anchor) ? $"[{shown}](#{anchor})" : shown;
    }

    private static string Code(string text)
    {
        string folded = Whitespace().Replace(text, " ").Trim();
        return folded.Contains('`', StringComparison.Ordinal) ? $"`` {folded} ``" : $"`{folded}`";
    }

    /// <summary>A code block's lines without the indentation they share (the comment's).</summary>
    private static string Dedent(string code)
    {
        var lines = code.Replace("\r", "", StringComparison.Ordinal).Split('\n').SkipWhile(string.IsNullOrWhiteSpace).Reverse().SkipWhile(string.IsNullOrWhiteSpace).Reverse().ToList();
        int indent = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join("\n", lines.Select(l => l.Length >= indent ? l[indent..].TrimEnd() : l.Trim()));
    }
}
