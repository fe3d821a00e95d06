using SharpGrad.IO.Onnx;
using SharpGrad.IO.Onnx.Proto;

namespace SharpGrad.Vision;

/// <summary>
/// Maps the initializers of CNTK's ResNet18 ONNX graph (meaningless names such as <c>Parameter91</c>) to torchvision's
/// state-dict names by walking the graph: the conv fed by the graph input is <c>conv1</c> and the batch norm after it
/// <c>bn1</c>; every <c>Add</c> is one BasicBlock, whose layer follows from its conv2's output channels (64, 128, 256,
/// 512 → layer1-4) and whose index is its order in the graph; the Add input reached through BN ← 3x3 conv ← ReLU ← BN ←
/// 3x3 conv is the main path, one through BN ← 1x1 conv the downsample, anything else an identity shortcut.
/// </summary>
internal static class CntkResNetWeights
{
    /// <summary>The body's weights under torchvision's names (no <c>fc</c>), and the blocks found per layer.</summary>
    /// <exception cref="InvalidDataException">The graph is not this kind of ResNet; the message names the file and what differs.</exception>
    public static (Dictionary<string, Tensor> State, int[] Blocks) Map(ModelProto model, string path)
    {
        GraphProto g = model.Graph;
        var inits = g.Initializer.ToDictionary(t => t.Name);
        var producer = new Dictionary<string, NodeProto>();
        foreach (NodeProto n in g.Node)
            foreach (string o in n.Output) producer[o] = n;
        string input = g.Input.Select(i => i.Name).FirstOrDefault(n => !inits.ContainsKey(n))
            ?? throw new InvalidDataException($"{path}: the graph has no input.");
        var state = new Dictionary<string, Tensor>();
        var used = new HashSet<string>();

        NodeProto? From(string name, string op) => producer.TryGetValue(name, out NodeProto? n) && n.OpType == op ? n : null;

        void Conv(NodeProto conv, string name, int kernel)
        {
            long[] k = OnnxFile.Ints(conv, "kernel_shape", []);
            if (k.Length != 2 || k[0] != kernel || k[1] != kernel || conv.Input.Count != 2)
                throw new InvalidDataException($"{path}: node producing '{conv.Output[0]}' should be a {kernel}x{kernel} convolution without bias for {name}.");
            Take(conv.Input[1], name + ".weight");
        }

        void BatchNorm(NodeProto bn, string name)
        {
            if (bn.Input.Count != 5) throw new InvalidDataException($"{path}: batch norm '{bn.Output[0]}' has {bn.Input.Count} inputs, expected 5.");
            float eps = OnnxFile.Float(bn, "epsilon", 1e-5f);
            if (Math.Abs(eps - 1e-5f) > 1e-9f) throw new InvalidDataException($"{path}: batch norm '{bn.Output[0]}' has epsilon {eps}, expected 1e-5.");
            Take(bn.Input[1], name + ".weight");
            Take(bn.Input[2], name + ".bias");
            Take(bn.Input[3], name + ".running_mean");
            Take(bn.Input[4], name + ".running_var");
            state[name + ".num_batches_tracked"] = Tensor.Scalar(0L);
        }

        void Take(string initializer, string name)
        {
            if (!inits.TryGetValue(initializer, out TensorProto? t)) throw new InvalidDataException($"{path}: '{initializer}' (for {name}) is not an initializer.");
            state[name] = OnnxFile.ToTensor(t, path);
            used.Add(initializer);
        }

        NodeProto conv1 = g.Node.FirstOrDefault(n => n.OpType == "Conv" && n.Input.Count > 0 && n.Input[0] == input)
            ?? throw new InvalidDataException($"{path}: no convolution reads the graph input '{input}'.");
        Conv(conv1, "conv1", 7);
        NodeProto bn1 = g.Node.FirstOrDefault(n => n.OpType == "BatchNormalization" && n.Input[0] == conv1.Output[0])
            ?? throw new InvalidDataException($"{path}: no batch norm follows conv1.");
        BatchNorm(bn1, "bn1");

        var blocks = new int[4];
        foreach (NodeProto add in g.Node.Where(n => n.OpType == "Add"))
        {
            if (add.Input.Count != 2) throw new InvalidDataException($"{path}: Add '{add.Output[0]}' has {add.Input.Count} inputs.");
            (NodeProto Bn2, NodeProto Conv2, NodeProto Bn1, NodeProto Conv1)? Main(string x)
            {
                NodeProto? b2 = From(x, "BatchNormalization"), c2 = b2 is null ? null : From(b2.Input[0], "Conv");
                NodeProto? r = c2 is null ? null : From(c2.Input[0], "Relu"), b1 = r is null ? null : From(r.Input[0], "BatchNormalization");
                NodeProto? c1 = b1 is null ? null : From(b1.Input[0], "Conv");
                return c1 is null ? null : (b2!, c2!, b1!, c1);
            }
            int mainIndex = Main(add.Input[0]) is not null ? 0 : Main(add.Input[1]) is not null ? 1 : -1;
            if (mainIndex < 0) throw new InvalidDataException($"{path}: Add '{add.Output[0]}' has no BN-conv-ReLU-BN-conv main path.");
            var main = Main(add.Input[mainIndex])!.Value;
            long width = inits.TryGetValue(main.Conv2.Input[1], out TensorProto? w2) && w2.Dims.Count == 4 ? w2.Dims[0] : -1;
            int layer = width switch { 64 => 1, 128 => 2, 256 => 3, 512 => 4, _ => throw new InvalidDataException($"{path}: a block with {width} channels is not a resnet18 block.") };
            string name = $"layer{layer}.{blocks[layer - 1]++}";
            Conv(main.Conv1, name + ".conv1", 3);
            BatchNorm(main.Bn1, name + ".bn1");
            Conv(main.Conv2, name + ".conv2", 3);
            BatchNorm(main.Bn2, name + ".bn2");
            string shortcut = add.Input[1 - mainIndex];
            if (From(shortcut, "BatchNormalization") is { } dsBn && From(dsBn.Input[0], "Conv") is { } dsConv)
            {
                Conv(dsConv, name + ".downsample.0", 1);
                BatchNorm(dsBn, name + ".downsample.1");
            }
        }
        var unused = inits.Keys.Where(k => !used.Contains(k)).ToList();
        if (unused.Count > 0) throw new InvalidDataException($"{path}: {unused.Count} initializers were not mapped ({string.Join(", ", unused.Take(5))}...).");
        return (state, blocks);
    }

    /// <summary>The per-channel means of ResNetPreprocess.onnx's <c>MeanImage</c> (B, G, R order, 0..255 scale).</summary>
    public static double[] ChannelMeansBgr(ModelProto preprocess, string path)
    {
        TensorProto mean = preprocess.Graph.Initializer.FirstOrDefault(t => t.Name == "MeanImage")
            ?? throw new InvalidDataException($"{path}: no 'MeanImage' initializer.");
        Tensor image = OnnxFile.ToTensor(mean, path);
        if (image.NDim != 4 || image.Size(1) != 3) throw new InvalidDataException($"{path}: MeanImage has shape {image.Shape}, expected [1, 3, H, W].");
        float[] v = image.ToArray<float>();
        int plane = image.Size(2) * image.Size(3);
        var means = new double[3];
        for (int c = 0; c < 3; c++)
        {
            double sum = 0;
            for (int i = 0; i < plane; i++) sum += v[c * plane + i];
            means[c] = sum / plane;
        }
        return means;
    }
}
