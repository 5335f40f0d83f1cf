using System.Reflection;

namespace GpuNngp.ApiReference;

/// <summary>
/// The ID the C# compiler gives a type or member in its XML documentation file ("T:GpuNngp.Network",
/// "M:GpuNngp.Network.Repeat(System.Int32)"), computed from reflection so that a reflected member
/// finds its documentation (ECMA-334 annex D, "Documentation comments", ID string format).
/// </summary>
internal static class DocumentationIds
{
    /// <summary>The ID of <paramref name="member"/>.</summary>
    public static string Of(MemberInfo member) => member switch
    {
        Type type => "T:" + DefinitionName(type),
        ConstructorInfo constructor => $"M:{DefinitionName(constructor.DeclaringType!)}.{(constructor.IsStatic ? "#cctor" : "#ctor")}{Parameters(constructor.GetParameters())}",
        MethodInfo method => $"M:{DefinitionName(method.DeclaringType!)}.{MemberName(method)}{GenericArity(method)}{Parameters(method.GetParameters())}{Conversion(method)}",
        PropertyInfo property => $"P:{DefinitionName(property.DeclaringType!)}.{MemberName(property)}{Parameters(property.GetIndexParameters())}",
        FieldInfo field => $"F:{DefinitionName(field.DeclaringType!)}.{field.Name}",
        EventInfo @event => $"E:{DefinitionName(@event.DeclaringType!)}.{@event.Name}",
        _ => throw new ArgumentException($"no documentation ID for a {member.MemberType}", nameof(member)),
    };

    /// <summary>A type as it is declared: Namespace.Outer.Inner`1 (arity kept, no arguments).</summary>
    private static string DefinitionName(Type type) =>
        type.IsNested ? $"{DefinitionName(type.DeclaringType!)}.{type.Name}"
        : type.Namespace is null ? type.Name : $"{type.Namespace}.{type.Name}";

    /// <summary>An explicit interface implementation's name ("System.IDisposable.Dispose") with '#' for its dots.</summary>
    private static string MemberName(MemberInfo member) =>
        member.Name.Replace('.', '#').Replace('<', '{').Replace('>', '}').Replace(',', '@');

    private static string GenericArity(MethodInfo method) =>
        method.IsGenericMethodDefinition ? $"``{method.GetGenericArguments().Length}" : "";

    /// <summary>Conversion operators are told apart by their return type (~Type).</summary>
    private static string Conversion(MethodInfo method) =>
        method.Name is "op_Implicit" or "op_Explicit" ? "~" + ParameterType(method.ReturnType) : "";

    private static string Parameters(ParameterInfo[] parameters) =>
        parameters.Length == 0 ? "" : $"({string.Join(",", parameters.Select(p => ParameterType(p.ParameterType)))})";

    /// <summary>A type used in a signature: generic arguments in braces, ``n / `n for generic parameters, @ for by-reference.</summary>
    private static string ParameterType(Type type)
    {
        if (type.IsByRef)
        {
            return ParameterType(type.GetElementType()!) + "@";
        }

        if (type.IsPointer)
        {
            return ParameterType(type.GetElementType()!) + "*";
        }

        if (type.IsArray)
        {
            int rank = type.GetArrayRank();
            string dimensions = rank == 1 ? "[]" : $"[{string.Join(",", Enumerable.Repeat("0:", rank))}]";
            return ParameterType(type.GetElementType()!) + dimensions;
        }

        if (type.IsGenericParameter)
        {
            return (type.DeclaringMethod is null ? "`" : "``") + type.GenericParameterPosition;
        }

        if (!type.IsGenericType)
        {
            return DefinitionName(type);
        }

        return ConstructedName(type);
    }

    /// <summary>
    /// A generic type with its arguments, each nesting level taking its own: a type nested in
    /// Outer&lt;T&gt; is Outer{`0}.Inner, since reflection gives the inner type the outer one's T.
    /// </summary>
    private static string ConstructedName(Type type)
    {
        Type[] arguments = type.GetGenericArguments();
        var levels = new List<Type>();
        for (Type? level = type.GetGenericTypeDefinition(); level is not null; level = level.DeclaringType)
        {
            levels.Insert(0, level);
        }

        var parts = new List<string>();
        int used = 0;
        foreach (Type level in levels)
        {
            int tick = level.Name.IndexOf('`', StringComparison.Ordinal);
            string name = tick < 0 ? level.Name : level.Name[..tick];
            int count = level.GetGenericArguments().Length - used;
            parts.Add(count > 0 ? $"{name}{{{string.Join(",", arguments[used..(used + count)].Select(ParameterType))}}}" : name);
            used += count;
        }

        string outermost = levels[0].Namespace is { } space ? space + "." : "";
        return outermost + string.Join(".", parts);
    }
}
