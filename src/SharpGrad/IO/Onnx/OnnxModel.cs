using SharpGrad.NN;

namespace SharpGrad.IO.Onnx;

/// <summary>
/// An ONNX model imported as a <see cref="Module"/> (<see cref="OnnxImport.Load(string)"/>): its float initializers are
/// trainable parameters under their ONNX names (dotted names become child modules, so <c>layer1.0.conv1.weight</c>
/// keeps its name in the state dict), batch-norm statistics are buffers, and <see cref="Forward"/> runs the graph with
/// SharpGrad's differentiable ops, so the model predicts, fine-tunes with a <c>Learner</c>, and exports again.
/// </summary>
public sealed class OnnxModel : Module
{
    private readonly OnnxGraph _graph;
    private readonly Tensor[] _state;

    internal OnnxModel(OnnxGraph graph)
    {
        _graph = graph;
        _state = new Tensor[graph.State.Count];
        var tree = new Dictionary<string, Module>(StringComparer.Ordinal) { [""] = this };
        for (int i = 0; i < graph.State.Count; i++)
        {
            (string name, _, Tensor value, bool buffer) = graph.State[i];
            (Module owner, string leaf) = Owner(tree, name, graph.State.Select(s => s.Name));
            _state[i] = owner is OnnxModel self
                ? buffer ? self.RegisterBuffer(leaf, value) : self.RegisterParameter(leaf, value)
                : ((ParameterGroup)owner).Add(leaf, value, buffer);
        }
    }

    /// <summary>The graph input's name in the file.</summary>
    public string InputName => _graph.InputName;

    /// <summary>The input's dims as declared in the file (null where symbolic, such as a batch dim).</summary>
    public IReadOnlyList<int?> InputDims => _graph.InputDims;

    /// <summary>The ONNX opset the file uses.</summary>
    public int Opset => _graph.Opset;

    /// <summary>The file's <c>metadata_props</c>.</summary>
    public IReadOnlyDictionary<string, string> Metadata => _graph.Metadata;

    /// <summary>Nodes the last <see cref="Forward"/> ran inside fused Conv → BatchNormalization chains (evaluation only).</summary>
    internal int FusedNodes { get; private set; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input);
        var values = new Tensor?[_graph.SlotCount];
        FusedNodes = 0;
        values[_graph.InputSlot] = input;
        foreach ((int slot, Tensor value) in _graph.Constants) values[slot] = value;
        for (int i = 0; i < _state.Length; i++) values[_graph.State[i].Slot] = _state[i];
        for (int i = 0; i < _graph.Nodes.Count; i++)
        {
            OnnxNode node = _graph.Nodes[i];
            // in evaluation a Conv → BatchNormalization (→ Relu, or → Add → Relu) chain runs as one fused op where it can
            int fused = IsTraining ? 0 : OnnxNodeRunner.TryRunConvBatchNorm(_graph, i, values);
            if (fused > 0)
            {
                FusedNodes += fused;
                for (int k = i; k < i + fused; k++)
                    foreach (int slot in _graph.FreeAfter[k]) values[slot] = null;
                i += fused - 1;
                continue;
            }
            try
            {
                OnnxNodeRunner.Run(node, values, _graph, IsTraining);
            }
            catch (ArgumentException e)
            {
                throw new InvalidOperationException($"{_graph.Source}: {node.Describe()} failed: {e.Message}", e);
            }
            foreach (int slot in _graph.FreeAfter[i]) values[slot] = null;
        }
        return values[_graph.OutputSlot] ?? throw new InvalidDataException($"{_graph.Source}: the output '{_graph.OutputName}' was not computed.");
    }

    private void CheckInput(Tensor input)
    {
        int?[] dims = _graph.InputDims;
        if (dims.Length == 0) return;
        bool ok = input.NDim == dims.Length;
        for (int d = 0; ok && d < dims.Length; d++) ok = dims[d] is null || dims[d] == input.Size(d);
        if (!ok)
            throw new ArgumentException($"{_graph.Source}: the model's input '{_graph.InputName}' has shape [{string.Join(", ", dims.Select(d => d?.ToString() ?? "?"))}], " +
                $"got a tensor of shape {input.Shape}.");
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"'{_graph.Source}', opset={_graph.Opset}, nodes={_graph.Nodes.Count}";

    /// <summary>The module that holds <paramref name="name"/> and the member name there, creating groups for dotted prefixes.</summary>
    private static (Module Owner, string Leaf) Owner(Dictionary<string, Module> tree, string name, IEnumerable<string> all)
    {
        string[] parts = name.Split('.');
        // Names that would collide or have empty segments are kept whole, with dots replaced.
        if (parts.Any(p => p.Length == 0) || all.Any(other => other != name && other.StartsWith(name + ".", StringComparison.Ordinal)))
            return (tree[""], name.Replace('.', '_'));
        string path = "";
        Module owner = tree[""];
        for (int i = 0; i < parts.Length - 1; i++)
        {
            string next = path.Length == 0 ? parts[i] : path + "." + parts[i];
            if (!tree.TryGetValue(next, out Module? child))
            {
                child = new ParameterGroup();
                if (owner is OnnxModel self) self.RegisterModule(parts[i], child);
                else ((ParameterGroup)owner).AddChild(parts[i], (ParameterGroup)child);
                tree[next] = child;
            }
            owner = child;
            path = next;
        }
        return (owner, parts[^1]);
    }

    /// <summary>Holds the parameters under one dotted prefix of an imported model; the model's graph uses them.</summary>
    private sealed class ParameterGroup : Module
    {
        public Tensor Add(string name, Tensor value, bool buffer) => buffer ? RegisterBuffer(name, value) : RegisterParameter(name, value);

        public void AddChild(string name, ParameterGroup child) => RegisterModule(name, child);

        public override Tensor Forward(Tensor input) =>
            throw new InvalidOperationException("This module only holds parameters of an imported ONNX model; call the model's Forward.");
    }
}
