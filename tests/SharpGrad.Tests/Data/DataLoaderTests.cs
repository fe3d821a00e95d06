using SharpGrad.Data;

namespace SharpGrad.Tests.Data;

/// <summary>DataLoader batching, shuffling, determinism and the seed notebooks' own loops.</summary>
public class DataLoaderTests
{
    [Fact]
    public void Range_15_in_batches_of_5_shuffled_gives_three_batches_covering_every_item()
    {
        var dl = new DataLoader(Enumerable.Range(0, 15), batchSize: 5, shuffle: true, generator: new Generator(1));
        List<Batch> batches = dl.ToList();
        Assert.Equal(3, batches.Count);
        Assert.All(batches, b => Assert.Equal([5], b.X.Shape.ToArray()));
        Assert.All(batches, b => Assert.Null(b.Y));
        long[] all = batches.SelectMany(b => b.X.ToArray<long>()).ToArray();
        Assert.Equal(Enumerable.Range(0, 15).Select(i => (long)i), all.Order());
        Assert.NotEqual(Enumerable.Range(0, 15).Select(i => (long)i), all);
    }

    [Fact]
    public void Each_pass_reshuffles_and_the_same_seed_gives_the_same_order()
    {
        long[] Pass(DataLoader dl) => dl.SelectMany(b => b.X.ToArray<long>()).ToArray();
        var a = new DataLoader(Enumerable.Range(0, 50), batchSize: 8, shuffle: true, generator: new Generator(7));
        var b = new DataLoader(Enumerable.Range(0, 50), batchSize: 8, shuffle: true, generator: new Generator(7));
        long[] first = Pass(a);
        Assert.Equal(first, Pass(b));
        Assert.NotEqual(first, Pass(a));
    }

    [Fact]
    public void The_last_partial_batch_is_kept_or_dropped()
    {
        Assert.Equal([5, 5, 3], new DataLoader(Enumerable.Range(0, 13), batchSize: 5).Select(b => b.Count));
        var dropped = new DataLoader(Enumerable.Range(0, 13), batchSize: 5, dropLast: true);
        Assert.Equal(2, dropped.Count);
        Assert.Equal([5, 5], dropped.Select(b => b.Count));
        // A set smaller than one batch keeps its only batch, or an epoch would train on nothing (issue 13, defect 2).
        Assert.Equal([3], new DataLoader(Enumerable.Range(0, 3), batchSize: 5, dropLast: true).Select(b => b.Count));
    }

    [Fact]
    public void The_seeds_zip_of_rows_batches_to_256_by_784_and_256_by_1()
    {
        var g = new Generator(3);
        Tensor trainX = Tensor.Rand([600, 784], g), trainY = Tensor.Randint(0, 2, [600, 1], g);
        List<(Tensor, Tensor)> dset = trainX.Unbind().Zip(trainY.Unbind()).ToList();
        (Tensor x, Tensor y) = dset[0];
        Assert.Equal([784], x.Shape.ToArray());
        Assert.Equal([1], y.Shape.ToArray());
        var dl = new DataLoader(dset, batchSize: 256, shuffle: true, generator: new Generator(1));
        var (xb, yb) = dl.First();
        Assert.Equal([256, 784], xb.Shape.ToArray());
        Assert.Equal([256, 1], yb!.Shape.ToArray());
        Assert.Equal([256, 256, 88], dl.Select(b => b.Count));
    }

    [Fact]
    public void Batches_hold_exactly_the_chosen_rows_in_order()
    {
        Tensor x = Tensor.Arange(40).Float().Reshape(10, 4), y = Tensor.Arange(10);
        var loader = new DataLoader(new TensorDataset(x, y), batchSize: 4, shuffle: true, generator: new Generator(5));
        foreach (Batch b in loader)
        {
            float[] xs = b.X.ToArray<float>();
            long[] ys = b.Y!.ToArray<long>();
            for (int k = 0; k < b.Count; k++)
                Assert.Equal(Enumerable.Range(0, 4).Select(j => (float)(4 * ys[k] + j)), xs.AsSpan(4 * k, 4).ToArray());
        }
        var pairs = new DataLoader(x.Unbind().Zip(y.Unbind()).ToList(), batchSize: 3);
        Assert.Equal(x.ToArray<float>(), pairs.SelectMany(b => b.X.ToArray<float>()));
    }

    [Fact]
    public void Bad_arguments_name_the_problem()
    {
        Assert.Contains("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(Enumerable.Range(0, 3), batchSize: 0)).Message);
        var e = Assert.Throws<ArgumentException>(() => new TensorDataset(Tensor.Zeros(5, 2), Tensor.Zeros(4)));
        Assert.Contains("[5, 2]", e.Message);
        Assert.Contains("[4]", e.Message);
        var ds = new TensorDataset(Tensor.Zeros(5, 2));
        Assert.Contains("out of range", Assert.Throws<ArgumentOutOfRangeException>(() => ds[5]).Message);
    }

    [Fact]
    public void Prefetching_gives_the_same_batches_in_the_same_order()
    {
        Tensor x = Tensor.Arange(200).Float().Reshape(50, 4), y = Tensor.Arange(50);
        float[] Pass(bool prefetch) =>
            new DataLoader(new TensorDataset(x, y), 8, shuffle: true, generator: new Generator(9), prefetch: prefetch).SelectMany(b => b.X.ToArray<float>()).ToArray();
        Assert.Equal(Pass(false), Pass(true));
    }

    [Fact]
    public void Without_prefetch_each_batch_is_collated_inside_the_scope_open_when_it_is_asked_for()
    {
        var g = new Generator(4);
        Tensor x = Tensor.Randn([40, 3], g), y = Tensor.Randint(0, 2, [40], g);
        var dl = new DataLoader(new TensorDataset(x, y), 8, shuffle: true, generator: new Generator(5), prefetch: false);
        var expected = dl.Select(b => b.X.ToArray<float>()).ToList(); // the same order: the loader's generator is replayed below
        dl = new DataLoader(new TensorDataset(x, y), 8, shuffle: true, generator: new Generator(5), prefetch: false);
        var stale = new List<Tensor>();
        int i = 0;
        using IEnumerator<Batch> batches = dl.GetEnumerator();
        while (true)
        {
            using var scope = new TensorScope();
            if (!batches.MoveNext()) break;
            Tensor batch = batches.Current.X;
            // the batch is this scope's (the next one is not collated ahead into it), so it reads here and goes back with it
            Assert.Contains(batch.Storage, scope.OwnedArrays);
            Assert.Equal(expected[i++], batch.ToArray<float>());
            stale.Add(batch);
        }
        Assert.Equal(5, i);
        Assert.All(stale, t => Assert.Throws<ObjectDisposedException>(() => t.Sum()));
    }
}
