using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SharpGrad.NN;

namespace SharpGrad.Benchmarks;

/// <summary>
/// GFLOP/s of every kind of convolution in resnet18 on mnist-sample (3x28x28 images, batch 64), forward alone and
/// forward + backward, beside PyTorch doing the same shapes with 2 threads (benchmarks/peers/conv_layers.py). FLOPs
/// are counted for the full lowering (2 · N · OC · OH · OW · C · KH · KW per pass, zero padding included) on both
/// sides, so a side that skips work on padding shows it as a higher rate. The stem's input needs no gradient (it is
/// the image), so its training pass does two products, the others three.
/// </summary>
internal static class ConvSuite
{
    private const int Batch = 64;

    private sealed record Layer(string Name, int C, int H, int OC, int K, int Stride, int Pad)
    {
        public bool InputGrad => Name != "stem";

        public int OH => (H + 2 * Pad - K) / Stride + 1;

        /// <summary>GFLOP of one pass (forward, or one of the backward products).</summary>
        public double PassGflop => 2.0 * Batch * OC * OH * OH * C * K * K / 1e9;

        public double TrainGflop => PassGflop * (InputGrad ? 3 : 2);
    }

    private static readonly Layer[] Layers =
    [
        new("stem", 3, 28, 64, 7, 2, 3),
        new("layer1 3x3 64@7x7", 64, 7, 64, 3, 1, 1),
        new("layer2 3x3/2 64>128@7x7", 64, 7, 128, 3, 2, 1),
        new("layer2 downsample 1x1/2", 64, 7, 128, 1, 2, 0),
        new("layer2 3x3 128@4x4", 128, 4, 128, 3, 1, 1),
        new("layer3 3x3 256@2x2", 256, 2, 256, 3, 1, 1),
        new("layer4 3x3 512@1x1", 512, 1, 512, 3, 1, 1),
    ];

    public static IReadOnlyList<Row> Run()
    {
        // A first pass over every layer lets the JIT finish tiering up the kernels (the training loop runs them hot);
        // timing straight away measured the first lowered layer at a third of its speed.
        foreach (Layer l in Layers) Time(l);
        var ours = Layers.Select(Time).ToList();
        var peer = Peer();
        var rows = new List<Row>();
        for (int i = 0; i < Layers.Length; i++)
        {
            Layer l = Layers[i];
            double peerFwd = peer is null ? double.NaN : l.PassGflop / peer[i].Fwd, peerTrain = peer is null ? double.NaN : l.TrainGflop / peer[i].Train;
            rows.Add(new Row($"{l.Name} fwd GFLOP/s", l.PassGflop / ours[i].Fwd, peerFwd, "GFLOP/s", "PyTorch"));
            rows.Add(new Row($"{l.Name} fwd+bwd GFLOP/s", l.TrainGflop / ours[i].Train, peerTrain, "GFLOP/s", "PyTorch"));
        }
        return rows;
    }

    /// <summary>Median seconds of the forward pass (no graph) and of forward + backward, each inside a <see cref="TensorScope"/> as the Learner runs them.</summary>
    private static (double Fwd, double Train) Time(Layer l)
    {
        var g = new Generator(0);
        Tensor x = Tensor.Randn([Batch, l.C, l.H, l.H], g), w = Tensor.Randn([l.OC, l.C, l.K, l.K], g);
        Tensor xg = x.Detach().RequiresGrad(l.InputGrad), wg = w.Detach().RequiresGrad();
        double fwd = MedianSeconds(() =>
        {
            using var scope = new TensorScope();
            using (Tensor.NoGrad()) F.Conv2d(x, w, stride: l.Stride, padding: l.Pad);
        });
        double train = MedianSeconds(() =>
        {
            using var scope = new TensorScope();
            Tensor y = F.Conv2d(xg, wg, stride: l.Stride, padding: l.Pad);
            y.Backward(Tensor.OnesLike(y));
            wg.Grad = null;
            xg.Grad = null;
        });
        return (fwd, train);
    }

    private static double MedianSeconds(Action run, double minSeconds = 0.3, int minReps = 5)
    {
        run();
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < minReps || total.Elapsed.TotalSeconds < minSeconds)
        {
            long t0 = Stopwatch.GetTimestamp();
            run();
            times.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static List<(double Fwd, double Train)>? Peer()
    {
        string spec = JsonSerializer.Serialize(Layers.Select(l => new Dictionary<string, object>
        {
            ["c"] = l.C, ["h"] = l.H, ["oc"] = l.OC, ["k"] = l.K, ["stride"] = l.Stride, ["pad"] = l.Pad, ["input_grad"] = l.InputGrad,
        }));
        JsonElement? result = PythonPeer.Run("conv_layers.py", [spec, Batch.ToString(CultureInfo.InvariantCulture)], "the PyTorch conv peer");
        return result?.GetProperty("layers").EnumerateArray().Select(e => (e.GetProperty("fwd_s").GetDouble(), e.GetProperty("train_s").GetDouble())).ToList();
    }
}
