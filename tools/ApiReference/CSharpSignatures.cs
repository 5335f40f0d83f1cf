using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace GpuNngp.ApiReference;

/// <summary>
/// Declarations as a C# reader writes them ("public GpPosterior Fit(Network network, double noise = 0)"),
/// from reflection: keywords for the built-in types, T? for nullable values and for references the
/// compiler marks nullable, default values, in/out/ref/params.
/// </summary>
internal sealed class CSharpSignatures
{
    private static readonly Dictionary<Type, string> Keywords = new()
    {
        [typeof(void)] = "void",
        [typeof(bool)] = "bool",
        [typeof(byte)] = "byte",
        [typeof(sbyte)] = "sbyte",
        [typeof(short)] = "short",
        [typeof(ushort)] = "ushort",
        [typeof(int)] = "int",
        [typeof(uint)] = "uint",
        [typeof(long)] = "long",
        [typeof(ulong)] = "ulong",
        [typeof(float)] = "float",
        [typeof(double)] = "double",
        [typeof(decimal)] = "decimal",
        [typeof(char)] = "char",
        [typeof(string)] = "string",
        [typeof(object)] = "object",
    };

    private readonly NullabilityInfoContext _nullability = new();

    /// <summary>The declaration of a type: modifiers, kind, name, and its base type and interfaces.</summary>
    public string Declaration(Type type)
    {
        string kind = Kind(type);
        string modifiers = type.IsInterface || type.IsEnum || type.IsValueType ? ""
            : type.IsAbstract && type.IsSealed ? "static "
            : type.IsAbstract ? "abstract "
            : type.IsSealed ? "sealed " : "";
        if (type.IsValueType && !type.IsEnum && type.IsDefined(typeof(IsReadOnlyAttribute)))
        {
            modifiers = "readonly ";
        }

        string primary = IsRecord(type) && PrimaryConstructor(type) is { } constructor ? ParameterList(constructor.GetParameters()) : "";
        var bases = new List<string>();
        if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType) && baseType != typeof(Enum))
        {
            bases.Add(Name(baseType));
        }

        if (!type.IsEnum)
        {
            var inherited = type.BaseType?.GetInterfaces() ?? [];
            bases.AddRange(type.GetInterfaces().Where(i => i.IsPublic && !inherited.Contains(i)).Select(i => Name(i)).Order(StringComparer.Ordinal));
        }

        string inheritance = bases.Count == 0 ? "" : " : " + string.Join(", ", bases);
        return $"public {modifiers}{kind} {Name(type)}{primary}{inheritance}";
    }

    /// <summary>"class", "record", "struct", "record struct", "interface", "enum" or "delegate".</summary>
    public static string Kind(Type type) =>
        type.IsEnum ? "enum"
        : type.IsInterface ? "interface"
        : typeof(Delegate).IsAssignableFrom(type) ? "delegate"
        : type.IsValueType ? (IsRecord(type) ? "record struct" : "struct")
        : IsRecord(type) ? "record" : "class";

    /// <summary>The declaration of a constructor, method, property or field.</summary>
    public string Declaration(MemberInfo member) => member switch
    {
        ConstructorInfo constructor => $"{Access(constructor)} {Name(constructor.DeclaringType!)}{ParameterList(constructor.GetParameters())}",
        MethodInfo method => $"{Access(method)} {MethodModifiers(method)}{ReturnType(method)} {method.Name}{TypeParameters(method)}{ParameterList(method.GetParameters())}",
        PropertyInfo property => PropertyDeclaration(property),
        FieldInfo field => FieldDeclaration(field),
        EventInfo @event => $"public event {Name(@event.EventHandlerType!)} {@event.Name}",
        _ => throw new ArgumentException($"no declaration for a {member.MemberType}", nameof(member)),
    };

    /// <summary>A record's positional parameters belong to the constructor whose parameters are its properties.</summary>
    private static ConstructorInfo? PrimaryConstructor(Type type) =>
        type.GetConstructors().FirstOrDefault(c => c.GetParameters() is { Length: > 0 } parameters
            && parameters.All(p => type.GetProperty(p.Name!, BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly) is { } property
                && property.GetMethod!.IsDefined(typeof(CompilerGeneratedAttribute))));

    /// <summary>Records have a compiler-written EqualityContract (classes) or PrintMembers (structs).</summary>
    private static bool IsRecord(Type type) =>
        type.GetProperty("EqualityContract", BindingFlags.NonPublic | BindingFlags.Instance) is not null
        || (type.IsValueType && type.GetMethod("PrintMembers", BindingFlags.NonPublic | BindingFlags.Instance) is { } print
            && print.IsDefined(typeof(CompilerGeneratedAttribute)));

    private static string Access(MethodBase method) =>
        method.IsPublic ? "public" : method.IsFamilyOrAssembly ? "protected internal" : "protected";

    private static string MethodModifiers(MethodInfo method)
    {
        if (method.IsStatic)
        {
            return "static ";
        }

        if (method.DeclaringType!.IsInterface)
        {
            return "";
        }

        if (method.IsAbstract)
        {
            return "abstract ";
        }

        bool overrides = method.GetBaseDefinition().DeclaringType != method.DeclaringType;
        return overrides ? "override " : method.IsVirtual && !method.IsFinal ? "virtual " : "";
    }

    private string PropertyDeclaration(PropertyInfo property)
    {
        MethodInfo accessor = property.GetMethod ?? property.SetMethod!;
        var accessors = new List<string>();
        if (property.GetMethod is { } getter && (getter.IsPublic || getter.IsFamily || getter.IsFamilyOrAssembly))
        {
            accessors.Add("get;");
        }

        if (property.SetMethod is { } setter && (setter.IsPublic || setter.IsFamily || setter.IsFamilyOrAssembly))
        {
            bool init = setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit));
            accessors.Add(init ? "init;" : "set;");
        }

        var index = property.GetIndexParameters();
        string name = index.Length == 0 ? property.Name : $"this[{string.Join(", ", index.Select(Parameter))}]";
        string type = Name(property.PropertyType, _nullability.Create(property).ReadState);
        return $"{Access(accessor)} {(accessor.IsStatic ? "static " : "")}{type} {name} {{ {string.Join(" ", accessors)} }}";
    }

    private string FieldDeclaration(FieldInfo field)
    {
        if (field.DeclaringType!.IsEnum)
        {
            object value = Convert.ChangeType(field.GetRawConstantValue()!, Enum.GetUnderlyingType(field.DeclaringType), CultureInfo.InvariantCulture);
            return $"{field.Name} = {Convert.ToString(value, CultureInfo.InvariantCulture)}";
        }

        string type = Name(field.FieldType, _nullability.Create(field).ReadState);
        string access = field.IsPublic ? "public" : "protected";
        return field.IsLiteral
            ? $"{access} const {type} {field.Name} = {Literal(field.GetRawConstantValue(), field.FieldType)}"
            : $"{access} {(field.IsStatic ? "static " : "")}{(field.IsInitOnly ? "readonly " : "")}{type} {field.Name}";
    }

    private string ReturnType(MethodInfo method) => Name(method.ReturnType, _nullability.Create(method.ReturnParameter).ReadState);

    private static string TypeParameters(MethodInfo method) =>
        method.IsGenericMethodDefinition ? $"<{string.Join(", ", method.GetGenericArguments().Select(a => a.Name))}>" : "";

    private string ParameterList(ParameterInfo[] parameters) => $"({string.Join(", ", parameters.Select(Parameter))})";

    private string Parameter(ParameterInfo parameter)
    {
        Type type = parameter.ParameterType;
        string prefix = "";
        if (type.IsByRef)
        {
            prefix = parameter.IsOut ? "out " : parameter.IsIn ? "in " : "ref ";
            type = type.GetElementType()!;
        }
        else if (parameter.IsDefined(typeof(ParamArrayAttribute)))
        {
            prefix = "params ";
        }

        var nullability = _nullability.Create(parameter);
        string name = Name(type, parameter.IsOut ? nullability.WriteState : nullability.ReadState);
        string defaultValue = parameter.HasDefaultValue ? " = " + Literal(parameter.RawDefaultValue, type) : "";
        return $"{prefix}{name} {parameter.Name}{defaultValue}";
    }

    /// <summary>A constant as C# writes it: enum members by name, strings quoted, numbers invariant.</summary>
    private static string Literal(object? value, Type type)
    {
        Type underlying = Nullable.GetUnderlyingType(type) ?? type;
        return value switch
        {
            null => "null",
            _ when underlying.IsEnum => Enum.GetName(underlying, value) is { } name ? $"{Name(underlying)}.{name}" : Convert.ToString(value, CultureInfo.InvariantCulture)!,
            string text => $"\"{text}\"",
            bool flag => flag ? "true" : "false",
            double number => number.ToString("R", CultureInfo.InvariantCulture),
            float number => number.ToString("R", CultureInfo.InvariantCulture) + "f",
            _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        };
    }

    /// <summary>A type's C# name; a reference marked nullable (or a Nullable&lt;T&gt;) ends in '?'.</summary>
    public static string Name(Type type, NullabilityState state = NullabilityState.Unknown)
    {
        if (Nullable.GetUnderlyingType(type) is { } value)
        {
            return Name(value) + "?";
        }

        string suffix = state == NullabilityState.Nullable && !type.IsValueType ? "?" : "";
        if (Keywords.TryGetValue(type, out string? keyword))
        {
            return keyword + suffix;
        }

        if (type.IsArray)
        {
            return $"{Name(type.GetElementType()!)}[{new string(',', type.GetArrayRank() - 1)}]{suffix}";
        }

        if (type.IsByRef || type.IsPointer)
        {
            return Name(type.GetElementType()!) + (type.IsPointer ? "*" : "");
        }

        string name = type.IsNested && !type.IsGenericParameter ? $"{Name(type.DeclaringType!)}.{type.Name}" : type.Name;
        if (type.IsGenericType && name.IndexOf('`', StringComparison.Ordinal) is var tick and >= 0)
        {
            name = name[..tick];
            name += $"<{string.Join(", ", type.GetGenericArguments().Select(a => Name(a)))}>";
        }

        return name + suffix;
    }
}
