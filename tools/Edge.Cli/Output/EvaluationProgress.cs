using Spectre.Console;

namespace Edge.Cli.Output;

/// <summary>A progress bar per evaluation pass when stdout is an interactive terminal; nothing otherwise.</summary>
public static class EvaluationProgress
{
    public static T Run<T>(CliIO io, Func<Action<string, int, int>?, T> work)
    {
        if (!io.Console.Profile.Capabilities.Interactive) return work(null);
        T result = default!;
        io.Console.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                result = work((engine, done, total) =>
                {
                    if (!tasks.TryGetValue(engine, out var task)) tasks[engine] = task = ctx.AddTask(engine, maxValue: total);
                    task.Value = done;
                });
            });
        return result;
    }
}
