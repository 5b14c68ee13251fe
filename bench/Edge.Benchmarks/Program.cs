using BenchmarkDotNet.Running;
using Edge.Benchmarks;
using Edge.Benchmarks.Peers;

// dotnet run -c Release --project bench/Edge.Benchmarks -- --filter '*Int8Kernel*'
// dotnet run -c Release --project bench/Edge.Benchmarks -- profile MODEL.edge [auto|scalar|vector128|avx2] [RUNS]
// dotnet run -c Release --project bench/Edge.Benchmarks -- peers [--models a,b] [--threads 1,2] [--iterations N] [--tsv FILE]
// dotnet run -c Release --project bench/Edge.Benchmarks -- kernels [NAME-FILTER|all|model] [Avx2|Avx512BW|Vector128|…]
if (args.Length > 0 && args[0] == "peers") return PeerRunner.Run(args[1..]);
if (args.Length > 0 && args[0] == "profile") return OperatorProfile.Run(args[1..]);
if (args.Length > 0 && args[0] == "kernels") return KernelTimer.Run(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
