using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Guichet.TriageBench.TriageBenchmarks).Assembly).Run(args);
