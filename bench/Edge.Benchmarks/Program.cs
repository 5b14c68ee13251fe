using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Edge.Benchmarks -- --filter '*Int8Kernel*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
