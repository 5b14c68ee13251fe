// The CLI's --max-input-mb and --max-pixels set process-wide limits (Edge.Core.Files.InputLimits) for the command
// they run; tests that run the CLI in-process must not overlap with tests that read files under the defaults.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
