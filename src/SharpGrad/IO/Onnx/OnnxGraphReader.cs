using SharpGrad.IO.Onnx.Proto;

namespace SharpGrad.IO.Onnx;

/// <summary>
/// Checks an ONNX model and turns it into an <see cref="OnnxGraph"/>: one input and one output, default-domain opset 8
/// to 21, every op supported, every value defined exactly once, no cycle. Each refusal names the node or value.
/// </summary>
internal static class OnnxGraphReader
{
    /// <summary>Inputs (by op type) that hold shapes, axes, bounds or settings, not data: initializers there are constants.</summary>
    private static readonly Dictionary<string, int[]> SettingInputs = new()
    {
        ["Reshape"] = [1], ["Unsqueeze"] = [1], ["Squeeze"] = [1], ["Slice"] = [1, 2, 3, 4], ["Pad"] = [1, 2, 3], ["Expand"] = [1],
        ["ReduceSum"] = [1], ["ReduceMean"] = [1], ["ReduceMax"] = [1], ["ReduceMin"] = [1], ["Split"] = [1], ["Clip"] = [1, 2],
        ["Dropout"] = [1, 2], ["Gather"] = [1], ["GatherElements"] = [1],
    };

    public static OnnxGraph Read(ModelProto model, string source, string? folder)
    {
        GraphProto g = model.Graph;
        int opset = DefaultOpset(model, source);
        var slots = new Dictionary<string, int>(StringComparer.Ordinal);
        int Define(string name, string what)
        {
            if (name.Length == 0) throw new InvalidDataException($"{source}: {what} has an empty name.");
            if (!slots.TryAdd(name, slots.Count)) throw new InvalidDataException($"{source}: the value '{name}' is defined twice (again by {what}).");
            return slots[name];
        }

        // Initializers first (older exporters also list them among the graph's inputs).
        var initializers = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (TensorProto t in g.Initializer)
        {
            Define(t.Name, $"initializer '{t.Name}'");
            initializers[t.Name] = t;
        }
        var inputs = g.Input.Where(i => !initializers.ContainsKey(i.Name)).ToList();
        if (inputs.Count != 1)
            throw new InvalidDataException($"{source}: SharpGrad imports models with one input; this one has {inputs.Count} ({string.Join(", ", inputs.Select(i => $"'{i.Name}'"))}).");
        if (g.Output.Count != 1)
            throw new InvalidDataException($"{source}: SharpGrad imports models with one output; this one has {g.Output.Count} ({string.Join(", ", g.Output.Select(o => $"'{o.Name}'"))}).");
        ValueInfoProto input = inputs[0];
        int inputSlot = Define(input.Name, $"the graph input '{input.Name}'");

        // Nodes: define outputs, check op and domain.
        var protos = g.Node.ToList();
        var outputSlots = new int[protos.Count][];
        for (int i = 0; i < protos.Count; i++)
        {
            NodeProto n = protos[i];
            string label = $"node '{(n.Name.Length > 0 ? n.Name : "#" + i)}' ({n.OpType})";
            if (n.Domain is not ("" or "ai.onnx"))
                throw new NotSupportedException($"{source}: {label} is in the op domain '{n.Domain}'; SharpGrad runs the default ONNX domain only.");
            if (!OnnxGraph.SupportedOps.Contains(n.OpType))
                throw new NotSupportedException($"{source}: {label}: SharpGrad does not run the ONNX op {n.OpType}. " +
                    $"Supported: {string.Join(", ", OnnxGraph.SupportedOps.Order(StringComparer.Ordinal))}.");
            outputSlots[i] = n.Output.Select(o => o.Length == 0 ? -1 : Define(o, label)).ToArray();
        }
        if (!slots.TryGetValue(g.Output[0].Name, out int outputSlot))
            throw new InvalidDataException($"{source}: the graph output '{g.Output[0].Name}' is not computed by any node.");

        // Node inputs: every name must be defined somewhere.
        var nodes = new List<OnnxNode>(protos.Count);
        for (int i = 0; i < protos.Count; i++)
        {
            NodeProto n = protos[i];
            var ins = new int[n.Input.Count];
            for (int k = 0; k < ins.Length; k++)
            {
                string name = n.Input[k];
                if (name.Length == 0) { ins[k] = -1; continue; }
                if (!slots.TryGetValue(name, out ins[k]))
                    throw new InvalidDataException($"{source}: node '{(n.Name.Length > 0 ? n.Name : "#" + i)}' ({n.OpType}) reads '{name}', which no node, initializer or input provides.");
            }
            nodes.Add(new OnnxNode(n, ins, outputSlots[i], i));
        }
        List<OnnxNode> sorted = Sort(nodes, slots.Count, source, initializers.Keys.Select(k => slots[k]).Append(inputSlot));

        // Initializers: parameters, buffers or constants, by how the graph uses them.
        var usage = new Dictionary<int, (bool Data, bool Statistic, bool Setting)>();
        foreach (OnnxNode node in sorted)
            for (int k = 0; k < node.Inputs.Length; k++)
            {
                if (node.Inputs[k] < 0) continue;
                var u = usage.GetValueOrDefault(node.Inputs[k]);
                if (node.OpType == "BatchNormalization" && k >= 3) u.Statistic = true;
                else if (SettingInputs.TryGetValue(node.OpType, out int[]? settings) && settings.Contains(k)) u.Setting = true;
                else u.Data = true;
                usage[node.Inputs[k]] = u;
            }
        var state = new List<(string, int, Tensor, bool)>();
        var constants = new List<(int, Tensor)>();
        foreach ((string name, TensorProto proto) in initializers)
        {
            int slot = slots[name];
            Tensor value = OnnxFile.ToTensor(proto, source, folder);
            var u = usage.GetValueOrDefault(slot);
            if (!u.Data && !u.Statistic && !u.Setting) continue; // unused
            if (value.DType != DType.Float32 || (u.Setting && !u.Data && !u.Statistic)) constants.Add((slot, value));
            else state.Add((name, slot, value, u.Statistic && !u.Data));
        }
        foreach (OnnxNode node in sorted.Where(n => n.OpType == "Constant"))
            constants.Add((node.Outputs[0], ConstantValue(node, source, folder)));

        return new OnnxGraph
        {
            Source = source,
            Opset = opset,
            Nodes = sorted.Where(n => n.OpType != "Constant").ToList(),
            SlotCount = slots.Count,
            InputSlot = inputSlot,
            InputName = input.Name,
            InputDims = InputDims(input),
            OutputSlot = outputSlot,
            OutputName = g.Output[0].Name,
            State = state,
            Constants = constants,
            FreeAfter = LastUses(sorted.Where(n => n.OpType != "Constant").ToList(), slots.Count, outputSlot),
            Metadata = model.MetadataProps.GroupBy(p => p.Key).ToDictionary(p => p.Key, p => p.Last().Value),
        };
    }

    private static int DefaultOpset(ModelProto model, string source)
    {
        var entry = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx");
        if (entry is null) throw new InvalidDataException($"{source}: the model does not say which ONNX opset it uses (no opset_import for the default domain).");
        if (entry.Version < OnnxGraph.MinOpset || entry.Version > OnnxGraph.MaxOpset)
            throw new NotSupportedException($"{source}: the model uses ONNX opset {entry.Version}; SharpGrad reads opsets {OnnxGraph.MinOpset} to {OnnxGraph.MaxOpset}.");
        return (int)entry.Version;
    }

    /// <summary>Nodes in an order where each runs after the producers of its inputs (Kahn's algorithm, stable); a cycle is refused.</summary>
    private static List<OnnxNode> Sort(List<OnnxNode> nodes, int slotCount, string source, IEnumerable<int> available)
    {
        var ready = new bool[slotCount];
        foreach (int s in available) ready[s] = true;
        var done = new bool[nodes.Count];
        var sorted = new List<OnnxNode>(nodes.Count);
        bool progress = true;
        while (sorted.Count < nodes.Count && progress)
        {
            // Exported graphs are nearly always in order already, so a pass usually takes them all.
            progress = false;
            for (int i = 0; i < nodes.Count; i++)
            {
                if (done[i] || !nodes[i].Inputs.All(s => s < 0 || ready[s])) continue;
                done[i] = true;
                progress = true;
                sorted.Add(nodes[i]);
                foreach (int o in nodes[i].Outputs) if (o >= 0) ready[o] = true;
            }
        }
        if (sorted.Count < nodes.Count)
        {
            OnnxNode stuck = nodes[Array.IndexOf(done, false)];
            throw new InvalidDataException($"{source}: the graph has a cycle: {stuck.Describe()} depends on its own output through other nodes.");
        }
        return sorted;
    }

    private static int?[] InputDims(ValueInfoProto input)
    {
        if (input.Type?.TensorType?.Shape is not { } shape) return [];
        return shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue > 0 ? (int?)checked((int)d.DimValue) : null).ToArray();
    }

    private static int[][] LastUses(List<OnnxNode> nodes, int slotCount, int outputSlot)
    {
        var last = Enumerable.Repeat(-1, slotCount).ToArray();
        for (int i = 0; i < nodes.Count; i++)
            foreach (int s in nodes[i].Inputs) if (s >= 0) last[s] = i;
        var free = new List<int>[nodes.Count];
        for (int i = 0; i < nodes.Count; i++) free[i] = [];
        for (int s = 0; s < slotCount; s++)
            if (last[s] >= 0 && s != outputSlot) free[last[s]].Add(s);
        return free.Select(f => f.ToArray()).ToArray();
    }

    /// <summary>The value of a Constant node (its <c>value</c> tensor, or one of the scalar and list forms).</summary>
    private static Tensor ConstantValue(OnnxNode node, string source, string? folder)
    {
        if (node.Attribute("value") is { T: { } t }) return OnnxFile.ToTensor(t, source, folder);
        if (node.Attribute("value_float") is { } f) return Tensor.Scalar(f.F);
        if (node.Attribute("value_floats") is { } fs) return Tensor.From(fs.Floats.ToArray());
        if (node.Attribute("value_int") is { } i) return Tensor.Scalar(i.I);
        if (node.Attribute("value_ints") is { } iv) return Tensor.From(iv.Ints.ToArray());
        throw new NotSupportedException($"{source}: {node.Describe()} has no value SharpGrad reads (value, value_float(s), value_int(s)).");
    }
}
