using System.CommandLine;
using System.CommandLine.Parsing;
using GpuNngp.Data;

namespace GpuNngp.Cli;

/// <summary>
/// Every numeric option of every command parsed strictly (<see cref="StrictNumber"/>): the default
/// parser accepts thousands separators, so "--weight-var 1,5" silently meant 15.
/// </summary>
internal static class StrictNumberOptions
{
    public static void ApplyTo(Command command)
    {
        foreach (var option in command.Options)
        {
            switch (option)
            {
                case Option<double> real when real.CustomParser is null:
                    real.CustomParser = result => Parse<double>(result, StrictNumber.TryParseDouble, "a number (e.g. 1.45 or 1e-10; a decimal point, no thousands separators)");
                    break;
                case Option<int> whole when whole.CustomParser is null:
                    whole.CustomParser = result => Parse<int>(result, StrictNumber.TryParseInt, "a whole number (digits only, no thousands separators)");
                    break;
            }
        }

        foreach (var subcommand in command.Subcommands)
        {
            ApplyTo(subcommand);
        }
    }

    private delegate bool TryParse<T>(string? text, out T value);

    private static T Parse<T>(ArgumentResult result, TryParse<T> tryParse, string expected)
    {
        string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(' ', result.Tokens.Select(t => t.Value));
        if (result.Tokens.Count == 1 && tryParse(text, out T value))
        {
            return value;
        }

        string name = result.Parent is OptionResult option ? option.Option.Name : "option";
        result.AddError($"{name}: '{text}' is not {expected}");
        return default!;
    }
}
