using System.Collections;

namespace SharpGrad.Data;

/// <summary>
/// Mini-batches over a <see cref="Dataset"/> (PyTorch's and fastai's <c>DataLoader</c>): optionally shuffled with a
/// seeded <see cref="Generator"/> at the start of each pass, the last partial batch kept or dropped, and the next batch
/// collated on another thread while the current one trains.
/// </summary>
public sealed class DataLoader : IEnumerable<Batch>
{
    /// <summary>Batches of <paramref name="batchSize"/> items of <paramref name="dataset"/>.</summary>
    /// <param name="dataset">The items.</param>
    /// <param name="batchSize">Items per batch (the last may be smaller unless <paramref name="dropLast"/>).</param>
    /// <param name="shuffle">Draw a new random order at the start of every pass.</param>
    /// <param name="dropLast">
    /// Skip the last batch when it is not full. A set smaller than one batch still gives its one partial batch
    /// (PyTorch's loader would give none, and an epoch would silently train nothing).
    /// </param>
    /// <param name="generator">The random source for shuffling; default <see cref="Generator.Default"/>.</param>
    /// <param name="prefetch">
    /// Collate the next batch on another thread while the current one is used. Default: only with more than two cores;
    /// on two cores the extra thread competes with training and measured ~20% slower epochs for chapter 4's simple_net.
    /// </param>
    /// <param name="batchTfms">Applied to every batch's inputs after collation, in order (fastai's <c>batch_tfms</c>), e.g. <see cref="AugTransforms"/>.</param>
    /// <param name="trainingTfms">Whether the batch transforms run in their random training form (the training loader) or not (validation).</param>
    /// <param name="tfmSeed">Seed of the batch transforms' randomness: batch b of pass p uses a generator derived from (seed, p, b).</param>
    public DataLoader(Dataset dataset, int batchSize = 64, bool shuffle = false, bool dropLast = false, Generator? generator = null, bool? prefetch = null,
                      IReadOnlyList<BatchTransform>? batchTfms = null, bool trainingTfms = false, ulong tfmSeed = 0)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"DataLoader: batchSize must be at least 1, got {batchSize}.");
        Dataset = dataset;
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        Generator = generator;
        Prefetch = prefetch ?? Environment.ProcessorCount > 2;
        BatchTfms = batchTfms ?? [];
        TrainingTfms = trainingTfms;
        _tfmSeed = tfmSeed;
    }

    private readonly ulong _tfmSeed;
    private long _passes;

    /// <summary>
    /// Where the current pass started: how many passes came before it and the shuffling generator's state before this
    /// pass drew its order. A checkpoint taken in the middle of an epoch stores it, so a resumed run redraws the same order.
    /// </summary>
    internal (long Passes, ulong[]? GeneratorState) PassStart { get; private set; }

    /// <summary>The state a checkpoint taken between passes stores: the next pass starts from here.</summary>
    internal (long Passes, ulong[]? GeneratorState) NextPassStart => (_passes, Shuffle ? (Generator ?? Generator.Default).GetState() : null);

    /// <summary>Puts the loader back where a pass started and makes that pass skip its first <paramref name="skip"/> batches (they were trained before a checkpoint).</summary>
    internal void Rewind(long passes, IReadOnlyList<ulong>? generatorState, int skip)
    {
        _passes = passes;
        if (generatorState is not null) (Generator ?? Generator.Default).SetState(generatorState);
        _skip = skip;
    }

    private int _skip;

    /// <summary>Batches the next pass leaves out at its start (set by <see cref="Rewind"/>).</summary>
    internal int PendingSkip => _skip;

    /// <summary>The batch transforms, applied in order to each batch's inputs.</summary>
    public IReadOnlyList<BatchTransform> BatchTfms { get; }

    /// <summary>Whether the batch transforms run in their random (training) form.</summary>
    public bool TrainingTfms { get; }

    /// <summary>Batches of (x, y) pairs: the seed's <c>DataLoader(list(zip(train_x, train_y)), batch_size=256)</c>.</summary>
    public DataLoader(IReadOnlyList<(Tensor X, Tensor Y)> pairs, int batchSize = 64, bool shuffle = false, bool dropLast = false, Generator? generator = null)
        : this(Dataset.FromPairs(pairs), batchSize, shuffle, dropLast, generator)
    {
    }

    /// <summary>Batches of integers as int64 tensors: the seed's <c>DataLoader(range(15), batch_size=5, shuffle=True)</c>.</summary>
    public DataLoader(IEnumerable<int> items, int batchSize = 64, bool shuffle = false, bool dropLast = false, Generator? generator = null)
        : this(new TensorDataset(Tensor.From(items.Select(i => (long)i).ToArray())), batchSize, shuffle, dropLast, generator, prefetch: false)
    {
    }

    /// <summary>The items.</summary>
    public Dataset Dataset { get; }

    /// <summary>Items per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether each pass draws a new random order.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether a last, partial batch is skipped (never the only batch: see the constructor).</summary>
    public bool DropLast { get; }

    /// <summary>The shuffling random source (null: <see cref="Generator.Default"/>).</summary>
    public Generator? Generator { get; }

    /// <summary>Whether the next batch is collated in the background.</summary>
    public bool Prefetch { get; }

    /// <summary>Batches per pass.</summary>
    public int Count => DropLast && Dataset.Count >= BatchSize ? Dataset.Count / BatchSize : (Dataset.Count + BatchSize - 1) / BatchSize;

    /// <summary>The first batch of a pass (fastai's <c>first(dl)</c>).</summary>
    public Batch First()
    {
        using IEnumerator<Batch> e = GetEnumerator();
        return e.MoveNext() ? e.Current : throw new InvalidOperationException($"DataLoader: no batches ({Dataset.Count} items, batch size {BatchSize}, dropLast {DropLast}).");
    }

    /// <summary>One pass over the data, in a new order when shuffling.</summary>
    public IEnumerator<Batch> GetEnumerator()
    {
        PassStart = NextPassStart;
        ulong pass = (ulong)++_passes;
        int[] order = Order();
        int batches = Count, first = Math.Min(_skip, batches);
        _skip = 0;
        // Without prefetching each batch is collated when it is asked for, inside whatever TensorScope the caller has
        // open for it (the Learner's per-batch scope), so its memory comes back with that batch.
        Task<Batch>? next = Prefetch && first < batches ? Produce(order, first, pass) : null;
        for (int b = first; b < batches; b++)
        {
            Batch current = (next ?? Produce(order, b, pass)).GetAwaiter().GetResult();
            next = Prefetch && b + 1 < batches ? Produce(order, b + 1, pass) : null;
            yield return current;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int[] Order()
    {
        int n = Dataset.Count;
        if (!Shuffle) return Enumerable.Range(0, n).ToArray();
        long[] perm = Tensor.Randperm(n, Generator).ToArray<long>();
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = (int)perm[i];
        return order;
    }

    private Task<Batch> Produce(int[] order, int batch, ulong pass)
    {
        int start = batch * BatchSize, count = Math.Min(BatchSize, order.Length - start);
        ulong draw = pass << 32 | (uint)batch;
        return Prefetch
            ? Task.Run(() => Transform(Dataset.Collate(order.AsSpan(start, count), draw), draw))
            : Task.FromResult(Transform(Dataset.Collate(order.AsSpan(start, count), draw), draw));
    }

    private Batch Transform(Batch batch, ulong draw)
    {
        if (BatchTfms.Count == 0) return batch;
        var random = new Generator(_tfmSeed * 0x9E3779B97F4A7C15UL ^ draw * 0xD1B54A32D192ED03UL);
        Tensor x = batch.X;
        // A freshly collated batch is ours to overwrite, and so is what a built-in transform makes of it; what a
        // user's transform returns may be shared, so the transforms after it get a batch to leave alone.
        bool owned = Dataset.CollatesFreshInputs;
        foreach (BatchTransform t in BatchTfms)
        {
            Tensor y = t.Apply(x, TrainingTfms, random, owned);
            owned = (owned || !ReferenceEquals(y, x)) && t.GetType().Assembly == typeof(BatchTransform).Assembly;
            x = y;
        }
        return new Batch(x, batch.Y);
    }
}
