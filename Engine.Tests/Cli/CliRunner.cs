using GpuNngp.Cli;
using Spectre.Console;

namespace GpuNngp.Engine.Tests.Cli;

/// <summary>Runs the `nngp` command in process with captured, non-interactive output.</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 200;
        int code = NngpCommandLine.Run(args, console, error);
        return (code, output.ToString(), error.ToString());
    }
}
