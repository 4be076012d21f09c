using Guichet.Bench;

return await BenchCommand.RunAsync(args, Console.Out, Console.Error);
