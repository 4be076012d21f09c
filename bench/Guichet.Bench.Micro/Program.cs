using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Guichet.Bench.Micro.BusinessCalendarBenchmarks).Assembly).Run(args);
