using System.Diagnostics;
using System.Text.Json;
using SharpGrad.Data;

namespace SharpGrad.Benchmarks;

/// <summary>
/// Loading mnist-sample's 14,434 PNGs into tensors, and shuffled bs-256 DataLoader throughput, beside Python + PIL +
/// PyTorch doing the same (benchmarks/peers/load_pngs.py), alternating ours and the peer's runs.
/// </summary>
internal static class LoadSuite
{
    private const int Rounds = 3;

    public static IReadOnlyList<Row> Run()
    {
        string path = Datasets.Get(Datasets.MnistSample);
        IReadOnlyList<ImageItem> items = ImageFiles.LabelByParent(ImageFiles.Find(path));
        string[] vocab = ["3", "7"];
        ImageFolderLoader.Load(items, vocab, channels: 1); // warm-up: JIT and page cache

        var ours = new List<double>();
        var peerLoad = new List<double>();
        var peerBatches = new List<double>();
        for (int round = 0; round < Rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            ImageFolderLoader.Load(items, vocab, channels: 1);
            ours.Add(clock.Elapsed.TotalSeconds);
            if (Peer.Run(path) is { } peer)
            {
                peerLoad.Add(peer.LoadSeconds);
                peerBatches.Add(peer.BatchesPerSecond);
            }
        }

        DataLoaders dls = ImageDataLoaders.FromFolder(path, bs: 256);
        foreach (Batch _ in dls.Train) { }
        int batches = 0;
        var timer = Stopwatch.StartNew();
        while (timer.Elapsed.TotalSeconds < 2)
            foreach (Batch _ in dls.Train) batches++;
        double oursBatches = batches / timer.Elapsed.TotalSeconds;

        return
        [
            new Row("load 14,434 PNGs (s)", Stats.Median(ours), Stats.Median(peerLoad), "s", "PIL+PyTorch"),
            new Row("DataLoader bs 256 shuffled (batches/s)", oursBatches, Stats.Median(peerBatches), "batches/s", "PyTorch"),
        ];
    }

    /// <summary>The Python peer, run as a separate process.</summary>
    private static class Peer
    {
        public static (double LoadSeconds, double BatchesPerSecond)? Run(string path) =>
            PythonPeer.Run("load_pngs.py", [path], "the PIL + PyTorch peer") is { } root
                ? (root.GetProperty("load_s").GetDouble(), root.GetProperty("batches_per_s").GetDouble())
                : null;
    }
}
