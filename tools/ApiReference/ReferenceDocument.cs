using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Xml.Linq;

namespace GpuNngp.ApiReference;

/// <summary>
/// docs/api.md: every public type of the shipped assemblies (alphabetically) and every public or
/// protected member it declares (constructors, properties, methods, fields, in declaration order),
/// each with its C# declaration and its XML documentation — summary, remarks, parameters, return
/// value, exceptions. The same assemblies give the same text, byte for byte.
/// </summary>
internal sealed class ReferenceDocument
{
    /// <summary>The command that rewrites the file, as the file and the test that checks it say.</summary>
    public const string Command = "dotnet run --project tools/ApiReference -c Release -- docs/api.md";

    private const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    private readonly IReadOnlyList<Assembly> _assemblies;
    private readonly XmlDocumentation _documentation;
    private readonly CSharpSignatures _signatures = new();
    private readonly List<Type> _types;
    private readonly Dictionary<string, string> _anchors = new(StringComparer.Ordinal);
    private readonly InlineMarkdown _markdown;

    /// <summary>The reference of <paramref name="assemblies"/>, read with the XML files beside them.</summary>
    public ReferenceDocument(IReadOnlyList<Assembly> assemblies)
    {
        _assemblies = assemblies;
        _documentation = new XmlDocumentation(assemblies);
        _types = [.. assemblies.SelectMany(a => a.GetExportedTypes()).OrderBy(t => t.FullName, StringComparer.Ordinal)];
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (Type type in _types)
        {
            string typeAnchor = Unique(Slug(type.Name), used);
            _anchors[DocumentationIds.Of(type)] = typeAnchor;
            foreach (MemberInfo member in Members(type))
            {
                _anchors[DocumentationIds.Of(member)] = Unique($"{typeAnchor}-{Slug(MemberName(member))}", used);
            }
        }

        _markdown = new InlineMarkdown(_anchors);
    }

    /// <summary>GpuNngp.Engine and the GpuNngp assemblies it references: what the package ships.</summary>
    public static IReadOnlyList<Assembly> ShippedAssemblies()
    {
        Assembly engine = typeof(NngpEngine).Assembly;
        return [engine, .. engine.GetReferencedAssemblies()
            .Where(name => name.Name!.StartsWith("GpuNngp.", StringComparison.Ordinal))
            .OrderBy(name => name.Name, StringComparer.Ordinal)
            .Select(Assembly.Load)];
    }

    /// <summary>
    /// "Type.Member" of every public type or member without a summary (the compiler's CS1591, checked
    /// again here), but for parameterless constructors: the compiler writes them where the source has
    /// none, and an implicit one has no comment to carry.
    /// </summary>
    public IReadOnlyList<string> Undocumented() =>
        [.. _types.Where(t => Summary(t).Length == 0).Select(t => t.Name)
            .Concat(_types.SelectMany(t => Members(t)
                .Where(m => Summary(m).Length == 0 && !(m is ConstructorInfo constructor && constructor.GetParameters().Length == 0))
                .Select(m => $"{t.Name}.{MemberName(m)}")))];

    /// <summary>The whole Markdown file.</summary>
    public string Render()
    {
        var text = new StringBuilder();
        text.Append("# API reference\n\n");
        text.Append("Every public type and member of the assemblies the `GpuNngp` package ships (")
            .AppendJoin(", ", _assemblies.Select(a => $"`{a.GetName().Name}`"))
            .Append("), from their XML documentation. Generated: do not edit by hand. After changing the public API or its `///` comments, regenerate it from the repository root with\n\n")
            .Append($"    {Command}\n\n")
            .Append("(`Engine.Tests`' `ApiReferenceTests` fails while this file is out of date). The conventions (units, shapes, the kernel recursion) are those of [mathematics.md](mathematics.md); the exceptions are described under [`NngpException`](#nngpexception).\n\n");
        text.Append("## Types\n\n");
        foreach (Type type in _types)
        {
            text.Append($"- [`{CSharpSignatures.Name(type)}`](#{_anchors[DocumentationIds.Of(type)]}) ({CSharpSignatures.Kind(type)}): {FirstSentence(Summary(type))}\n");
        }

        text.Append('\n');
        foreach (Type type in _types)
        {
            RenderType(text, type);
        }

        return text.ToString().TrimEnd('\n') + "\n";
    }

    private void RenderType(StringBuilder text, Type type)
    {
        text.Append($"## <a id=\"{_anchors[DocumentationIds.Of(type)]}\"></a>`{CSharpSignatures.Name(type)}` {CSharpSignatures.Kind(type)}\n\n");
        text.Append($"```csharp\n{_signatures.Declaration(type)}\n```\n\n");
        text.Append($"Assembly: `{type.Assembly.GetName().Name}`\n\n");
        // A record's <param> tags document its positional constructor, listed below with them.
        RenderDocumentation(text, _documentation.Of(type), withParameters: false);
        var groups = Members(type).GroupBy(Group).OrderBy(g => g.Key);
        foreach (var group in groups)
        {
            text.Append($"### {GroupTitle(group.Key, type)}\n\n");
            foreach (MemberInfo member in group)
            {
                text.Append($"#### <a id=\"{_anchors[DocumentationIds.Of(member)]}\"></a>`{MemberName(member)}`\n\n");
                text.Append($"```csharp\n{_signatures.Declaration(member)}\n```\n\n");
                XElement? documentation = _documentation.Of(member);
                if (documentation is null && member is ConstructorInfo { IsPublic: true } constructor && constructor.GetParameters().Length == 0)
                {
                    text.Append("The parameterless constructor (written by the compiler).\n\n");
                }

                RenderDocumentation(text, documentation);
            }
        }
    }

    private void RenderDocumentation(StringBuilder text, XElement? documentation, bool withParameters = true)
    {
        Paragraph(text, _markdown.Render(documentation?.Element("summary")));
        Paragraph(text, _markdown.Render(documentation?.Element("value")));
        Paragraph(text, _markdown.Render(documentation?.Element("remarks")));
        List(text, "Type parameters", documentation?.Elements("typeparam"), e => Code((string?)e.Attribute("name")));
        List(text, "Parameters", withParameters ? documentation?.Elements("param") : null, e => Code((string?)e.Attribute("name")));
        string returns = _markdown.Render(documentation?.Element("returns"));
        if (returns.Length > 0)
        {
            text.Append($"**Returns:** {returns}\n\n");
        }

        List(text, "Exceptions", documentation?.Elements("exception"), e => _markdown.Render(new XElement("type", new XElement("see", new XAttribute("cref", (string?)e.Attribute("cref") ?? "")))));
        foreach (XElement example in documentation?.Elements("example") ?? [])
        {
            text.Append("**Example:**\n\n");
            Paragraph(text, _markdown.Render(example));
        }
    }

    private void List(StringBuilder text, string title, IEnumerable<XElement>? items, Func<XElement, string> label)
    {
        var entries = items?.ToList() ?? [];
        if (entries.Count == 0)
        {
            return;
        }

        text.Append($"**{title}:**\n\n");
        foreach (XElement item in entries)
        {
            // A multi-paragraph entry continues indented under its bullet.
            text.Append($"- {label(item)}: {_markdown.Render(item).Replace("\n\n", "\n\n  ", StringComparison.Ordinal)}\n");
        }

        text.Append('\n');
    }

    private static void Paragraph(StringBuilder text, string markdown)
    {
        if (markdown.Length > 0)
        {
            text.Append(markdown).Append("\n\n");
        }
    }

    private string Summary(MemberInfo member) => _markdown.Render(_documentation.Of(member)?.Element("summary"));

    /// <summary>The public and protected members a type declares, minus accessors and what the compiler writes (a record's Equals, Clone …).</summary>
    private static IEnumerable<MemberInfo> Members(Type type) =>
        type.GetMembers(Declared)
            .Where(member => IsVisible(member) && !member.IsDefined(typeof(CompilerGeneratedAttribute)) && member is not Type)
            .Where(member => member switch
            {
                MethodInfo method => !method.IsSpecialName || method.Name.StartsWith("op_", StringComparison.Ordinal),
                ConstructorInfo constructor => !constructor.IsStatic && !(type.IsValueType && constructor.GetParameters().Length == 0),
                FieldInfo field => !field.IsSpecialName,
                _ => true,
            })
            .OrderBy(Group).ThenBy(member => member.MetadataToken);

    private static bool IsVisible(MemberInfo member) => member switch
    {
        MethodBase method => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly,
        PropertyInfo property => property.GetAccessors(nonPublic: true).Any(a => a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly),
        FieldInfo field => field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly,
        EventInfo @event => @event.AddMethod is { } add && (add.IsPublic || add.IsFamily || add.IsFamilyOrAssembly),
        _ => false,
    };

    private static int Group(MemberInfo member) => member switch
    {
        ConstructorInfo => 0,
        FieldInfo field when field.DeclaringType!.IsEnum => 1,
        PropertyInfo => 2,
        MethodInfo => 3,
        FieldInfo => 4,
        _ => 5,
    };

    private static string GroupTitle(int group, Type type) => group switch
    {
        0 => "Constructors",
        1 => "Values",
        2 => "Properties",
        3 => "Methods",
        4 => type.IsEnum ? "Values" : "Fields",
        _ => "Events",
    };

    private static string MemberName(MemberInfo member) => member switch
    {
        ConstructorInfo constructor => CSharpSignatures.Name(constructor.DeclaringType!) + Arity(constructor),
        PropertyInfo property when property.GetIndexParameters().Length > 0 => "this[]",
        MethodBase method => method.Name + Arity(method),
        _ => member.Name,
    };

    /// <summary>Overloads are told apart in headings by their parameter types.</summary>
    private static string Arity(MethodBase method)
    {
        int overloads = Members(method.DeclaringType!).Count(m => m.Name == method.Name);
        return overloads > 1 || method is ConstructorInfo
            ? $"({string.Join(", ", method.GetParameters().Select(p => CSharpSignatures.Name(p.ParameterType.IsByRef ? p.ParameterType.GetElementType()! : p.ParameterType)))})"
            : "";
    }

    /// <summary>The summary up to its first full stop ("e.g." and "i.e." are not one).</summary>
    private static string FirstSentence(string summary)
    {
        string first = summary.Split("\n\n")[0];
        for (int end = first.IndexOf(". ", StringComparison.Ordinal); end >= 0; end = first.IndexOf(". ", end + 1, StringComparison.Ordinal))
        {
            if (!first[..end].EndsWith("e.g", StringComparison.Ordinal) && !first[..end].EndsWith("i.e", StringComparison.Ordinal))
            {
                return first[..(end + 1)];
            }
        }

        return first;
    }

    private static string Code(string? name) => $"`{name}`";

    private static string Slug(string name)
    {
        var slug = new StringBuilder();
        foreach (char c in name.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                slug.Append(c);
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        return slug.ToString().TrimEnd('-');
    }

    private static string Unique(string anchor, HashSet<string> used)
    {
        string candidate = anchor;
        for (int i = 2; !used.Add(candidate); i++)
        {
            candidate = $"{anchor}-{i}";
        }

        return candidate;
    }
}
