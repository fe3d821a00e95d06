using SharpGrad.Benchmarks;

return BenchmarkRunner.Run(args);
