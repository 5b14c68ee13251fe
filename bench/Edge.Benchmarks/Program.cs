using BenchmarkDotNet.Running;
using Edge.Benchmarks;

// dotnet run -c Release --project bench/Edge.Benchmarks -- --filter '*Int8Kernel*'
// dotnet run -c Release --project bench/Edge.Benchmarks -- profile MODEL.edge [auto|scalar|vector128|avx2] [RUNS]
if (args.Length > 0 && args[0] == "profile") return OperatorProfile.Run(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
