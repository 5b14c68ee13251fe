using Spectre.Console;

namespace Edge.Cli;

/// <summary>Where a command writes: a Spectre console for tables and plain writers for JSON and errors.</summary>
public sealed class CliIO
{
    public CliIO(TextWriter stdout, TextWriter stderr)
    {
        Out = stdout;
        Err = stderr;
        bool terminal = ReferenceEquals(stdout, System.Console.Out) && !System.Console.IsOutputRedirected;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal) Console.Profile.Width = 160;
    }

    public TextWriter Out { get; }
    public TextWriter Err { get; }
    public IAnsiConsole Console { get; }
}
