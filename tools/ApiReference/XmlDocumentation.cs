using System.Reflection;
using System.Xml.Linq;

namespace GpuNngp.ApiReference;

/// <summary>
/// The XML documentation files the compiler wrote beside the assemblies (GenerateDocumentationFile),
/// by member ID; &lt;inheritdoc/&gt; is followed to its cref or to the member it overrides.
/// </summary>
internal sealed class XmlDocumentation
{
    private readonly Dictionary<string, XElement> _members = new(StringComparer.Ordinal);

    /// <summary>Reads Name.xml beside each assembly.</summary>
    /// <exception cref="FileNotFoundException">An assembly without its documentation file.</exception>
    public XmlDocumentation(IEnumerable<Assembly> assemblies)
    {
        foreach (Assembly assembly in assemblies)
        {
            string path = Path.ChangeExtension(assembly.Location, ".xml");
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"no XML documentation beside {assembly.Location} (is GenerateDocumentationFile on?)", path);
            }

            foreach (XElement member in XDocument.Load(path).Descendants("member"))
            {
                _members[(string)member.Attribute("name")!] = member;
            }
        }
    }

    /// <summary>The documentation of <paramref name="member"/>, or null when it has none.</summary>
    public XElement? Of(MemberInfo member)
    {
        XElement? element = _members.GetValueOrDefault(DocumentationIds.Of(member));
        if (element?.Element("inheritdoc") is not { } inherit)
        {
            return element;
        }

        if ((string?)inherit.Attribute("cref") is { } cref)
        {
            return _members.GetValueOrDefault(cref);
        }

        return member is MethodInfo method && method.GetBaseDefinition() is { } baseMethod && baseMethod != method ? Of(baseMethod) : null;
    }
}
