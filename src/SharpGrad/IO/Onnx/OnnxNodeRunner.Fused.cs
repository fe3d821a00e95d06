namespace SharpGrad.IO.Onnx;

internal static partial class OnnxNodeRunner
{
    /// <summary>
    /// In evaluation, runs Conv → BatchNormalization (→ Relu, or → Add → Relu) starting at node <paramref name="i"/> as
    /// one op, as <see cref="NN.Sequential"/> runs a conv → batch norm pair (<see cref="Tensor.TryConvBatchNormInference"/>:
    /// the norm applied to the conv's output tiles, bitwise the nodes one by one), and returns how many nodes it ran.
    /// Only when each intermediate value has that next node as its one reader (it is freed right after it) and is not
    /// the graph's output; anything else, including an op that would throw, returns 0 with nothing run.
    /// </summary>
    public static int TryRunConvBatchNorm(OnnxGraph graph, int i, Tensor?[] values)
    {
        IReadOnlyList<OnnxNode> nodes = graph.Nodes;
        if (i + 1 >= nodes.Count || nodes[i].OpType != "Conv" || nodes[i + 1].OpType != "BatchNormalization") return 0;
        OnnxNode conv = nodes[i], norm = nodes[i + 1];
        if (!OnlyReader(graph, i, conv.Outputs[0], norm, 0) || norm.Outputs.Length != 1 || norm.Inputs.Length != 5 || conv.Inputs.Length < 2) return 0;
        if (norm.Int("spatial", 1) != 1 || conv.Int("group", 1) != 1 || conv.String("auto_pad", "NOTSET") != "NOTSET") return 0;
        long[] pads = conv.Ints("pads") ?? [0, 0, 0, 0];
        long[] strides = conv.Ints("strides") ?? [1, 1], dilations = conv.Ints("dilations") ?? [1, 1];
        if (pads.Length != 4 || pads[0] != pads[2] || pads[1] != pads[3] || strides.Length != 2 || dilations.Length != 2) return 0;
        if (pads.Concat(strides).Concat(dilations).Any(v => v < 0 || v > 1 << 20)) return 0;

        // what follows: a Relu, or an Add with another value and then a Relu
        int used = 2;
        Tensor? residual = null;
        bool relu = false;
        if (i + 2 < nodes.Count && nodes[i + 2].OpType == "Relu" && OnlyReader(graph, i + 1, norm.Outputs[0], nodes[i + 2], 0))
            (relu, used) = (true, 3);
        else if (i + 3 < nodes.Count && nodes[i + 2].OpType == "Add" && nodes[i + 3].OpType == "Relu" && nodes[i + 2].Inputs.Length == 2
            && OnlyReader(graph, i + 2, nodes[i + 2].Outputs[0], nodes[i + 3], 0))
        {
            OnnxNode add = nodes[i + 2];
            int mine = add.Inputs[0] == norm.Outputs[0] ? 0 : add.Inputs[1] == norm.Outputs[0] ? 1 : -1;
            if (mine >= 0 && add.Inputs[1 - mine] != norm.Outputs[0] && OnlyReader(graph, i + 1, norm.Outputs[0], add, mine)
                && values[add.Inputs[1 - mine]] is { } other)
                (residual, relu, used) = (other, true, 4);
        }

        Tensor? Value(OnnxNode node, int k) => node.Has(k) ? values[node.Inputs[k]] : null;
        if (Value(conv, 0) is not { } x || Value(conv, 1) is not { } w || Value(norm, 1) is not { } scale || Value(norm, 2) is not { } bias
            || Value(norm, 3) is not { } mean || Value(norm, 4) is not { } var) return 0;
        if (!Tensor.TryConvBatchNormInference(x, w, Value(conv, 2), ((int)strides[0], (int)strides[1]), ((int)pads[0], (int)pads[1]),
                ((int)dilations[0], (int)dilations[1]), mean, var, scale, bias, norm.Float("epsilon", 1e-5f), relu, residual, out Tensor? y))
            return 0;
        values[nodes[i + used - 1].Outputs[0]] = y;
        return used;
    }

    /// <summary>Whether <paramref name="slot"/>, written by node <paramref name="writer"/>, is read only by <paramref name="reader"/> (as its input <paramref name="input"/>) right after it, and is not the output.</summary>
    private static bool OnlyReader(OnnxGraph graph, int writer, int slot, OnnxNode reader, int input)
    {
        if (slot == graph.OutputSlot || reader.Inputs.Length <= input || reader.Inputs[input] != slot) return false;
        int reads = 0;
        foreach (int s in reader.Inputs) reads += s == slot ? 1 : 0;
        return reads == 1 && graph.FreeAfter[writer + 1].Contains(slot);
    }
}
