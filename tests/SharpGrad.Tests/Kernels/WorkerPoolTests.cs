using SharpGrad.Kernels;

namespace SharpGrad.Tests.Kernels;

[Trait("Category", "Kernels")]
public class WorkerPoolTests
{
    [Fact]
    public void Every_index_runs_exactly_once_across_many_jobs()
    {
        for (int job = 0; job < 200; job++)
        {
            int count = 1 + job % 17;
            var hits = new int[count];
            WorkerPool.Run(count, i => Interlocked.Increment(ref hits[i]));
            Assert.All(hits, h => Assert.Equal(1, h));
        }
    }

    [Fact]
    public void A_failing_piece_is_reported_to_the_caller()
    {
        var ex = Assert.Throws<AggregateException>(() => WorkerPool.Run(8, i => { if (i == 5) throw new InvalidOperationException("piece 5"); }));
        Assert.Equal("piece 5", ex.InnerException!.Message);
        var hits = new int[4];
        WorkerPool.Run(4, i => hits[i]++); // the pool still works afterwards
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void Nested_jobs_run_inline_instead_of_deadlocking()
    {
        int total = 0;
        WorkerPool.Run(4, _ => WorkerPool.Run(3, _ => Interlocked.Increment(ref total)));
        Assert.Equal(12, total);
    }
}
