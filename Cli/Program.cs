using GpuNngp.Cli;
using Spectre.Console;

return NngpCommandLine.Run(args, AnsiConsole.Console, Console.Error);
