using Google.Protobuf;
using SharpGrad.IO.Onnx;
using SharpGrad.IO.Onnx.Proto;
using SharpGrad.NN;

namespace SharpGrad.Tests.IO.Onnx;

/// <summary>Malformed and hostile ONNX files fail with a clear message, never with an out-of-memory or a read outside the model's folder.</summary>
public sealed class OnnxHostileFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpgrad-onnx-hostile-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>A valid two-layer model to break in different ways.</summary>
    private static ModelProto Valid() =>
        ModelProto.Parser.ParseFrom(OnnxExport.ToBytes(Nn.Sequential(Nn.Linear(4, 3), Nn.ReLU(), Nn.Linear(3, 2)), Tensor.Rand(2, 4)));

    private string Write(ModelProto model, string name = "m.onnx")
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    private static T Fails<T>(string path, params string[] fragments) where T : Exception
    {
        var e = Assert.Throws<T>(() => OnnxImport.Load(path));
        foreach (string f in fragments) Assert.Contains(f, e.Message);
        return e;
    }

    [Fact]
    public void TruncatedFile()
    {
        byte[] bytes = Valid().ToByteArray();
        foreach (int keep in new[] { 1, 7, bytes.Length / 3, bytes.Length - 5 })
        {
            string path = Path.Combine(_dir, $"cut{keep}.onnx");
            File.WriteAllBytes(path, bytes[..keep]);
            var e = Assert.ThrowsAny<Exception>(() => OnnxImport.Load(path));
            Assert.True(e is InvalidDataException, $"cut at {keep}: {e.GetType().Name}: {e.Message}");
            Assert.Contains(path, e.Message);
        }
    }

    [Fact]
    public void NotAnOnnxFile()
    {
        string path = Path.Combine(_dir, "image.png");
        File.WriteAllBytes(path, [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0, 0, 0, 13]);
        Fails<InvalidDataException>(path, path);
        Fails<InvalidDataException>(_dir, "folder");
        Assert.Throws<FileNotFoundException>(() => OnnxImport.Load(Path.Combine(_dir, "missing.onnx")));
    }

    [Fact]
    public void NodeReadsAMissingValue()
    {
        ModelProto m = Valid();
        m.Graph.Node[1].Input[0] = "nowhere";
        Fails<InvalidDataException>(Write(m), "'nowhere'", m.Graph.Node[1].Name);
    }

    [Fact]
    public void CyclicGraph()
    {
        ModelProto m = Valid();
        // The first Gemm now reads the second's output, which depends on the first.
        string last = m.Graph.Node[^1].Output[0];
        var loop = new NodeProto { OpType = "Add", Name = "loop" };
        loop.Input.Add("input");
        loop.Input.Add(last);
        loop.Output.Add("looped");
        m.Graph.Node.Add(loop);
        m.Graph.Node[0].Input[0] = "looped";
        Fails<InvalidDataException>(Write(m), "cycle");
    }

    [Fact]
    public void TensorWhoseDimsOverflow()
    {
        ModelProto m = Valid();
        TensorProto w = m.Graph.Initializer[0];
        w.Dims.Clear();
        w.Dims.Add(1L << 31);
        w.Dims.Add(1L << 31);
        Fails<InvalidDataException>(Write(m), w.Name, "invalid dimension");
        w.Dims.Clear();
        w.Dims.Add(1 << 30);
        w.Dims.Add(1 << 30);
        Fails<InvalidDataException>(Write(m), w.Name, "too large");
    }

    [Fact]
    public void TensorClaimingGigabytesWithFewBytes()
    {
        ModelProto m = Valid();
        TensorProto w = m.Graph.Initializer[0];
        w.Dims.Clear();
        w.Dims.Add(1 << 29); // 2 GB of floats claimed, a few bytes given: refused before allocating
        Fails<InvalidDataException>(Write(m), w.Name, "2,147,483,648");
    }

    [Fact]
    public void RawDataLengthPrefixOf2Gb()
    {
        // A hand-made message: ModelProto.graph (field 7) whose length prefix claims 2 GB, followed by a few bytes.
        byte[] bytes = [0x3A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 1, 2, 3];
        string path = Path.Combine(_dir, "claim.onnx");
        File.WriteAllBytes(path, bytes);
        Fails<InvalidDataException>(path, path);
    }

    [Fact]
    public void ExternalDataOutsideTheModelsFolder()
    {
        ModelProto m = Valid();
        TensorProto w = m.Graph.Initializer[0];
        byte[] raw = w.RawData.ToByteArray();
        w.RawData = ByteString.Empty;
        w.DataLocation = TensorProto.Types.DataLocation.External;
        string outside = Path.Combine(Path.GetDirectoryName(_dir)!, $"sharpgrad-outside-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(outside, raw);
        try
        {
            foreach (string location in new[] { "../" + Path.GetFileName(outside), outside })
            {
                w.ExternalData.Clear();
                w.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
                Fails<InvalidDataException>(Write(m), "outside the model's folder");
            }
            // A link inside the folder that leads out is refused too.
            File.CreateSymbolicLink(Path.Combine(_dir, "link.bin"), outside);
            w.ExternalData.Clear();
            w.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "link.bin" });
            Fails<InvalidDataException>(Write(m), "link");
            // Inside the folder, it loads.
            File.WriteAllBytes(Path.Combine(_dir, "weights.bin"), [.. new byte[16], .. raw]);
            w.ExternalData.Clear();
            w.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights.bin" });
            w.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "16" });
            w.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = raw.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            OnnxModel loaded = OnnxImport.Load(Write(m));
            Assert.Equal(raw, System.Runtime.InteropServices.MemoryMarshal.AsBytes(loaded.StateDict()[w.Name].ToArray<float>().AsSpan()).ToArray());
            // An offset past the end is refused.
            w.ExternalData[1].Value = "1000000";
            Fails<InvalidDataException>(Write(m), "weights.bin", "holds");
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Fact]
    public void UnsupportedOpOpsetAndAttributeNameTheNode()
    {
        ModelProto m = Valid();
        m.Graph.Node[1].OpType = "Celu";
        Fails<NotSupportedException>(Write(m), "Celu", m.Graph.Node[1].Name);

        m = Valid();
        m.OpsetImport[0].Version = 7;
        Fails<NotSupportedException>(Write(m), "opset 7");

        m = Valid();
        m.Graph.Node[1].Domain = "com.microsoft";
        Fails<NotSupportedException>(Write(m), "com.microsoft");

        // An attribute value SharpGrad does not run fails when the node runs, naming it.
        var pool = Nn.Sequential(Nn.MaxPool2d(2));
        m = ModelProto.Parser.ParseFrom(OnnxExport.ToBytes(pool, Tensor.Rand(2, 1, 4, 4)));
        NodeProto node = m.Graph.Node.Single(n => n.OpType == "MaxPool");
        node.Attribute.Add(new AttributeProto { Name = "dilations", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 2, 2 } });
        OnnxModel model = OnnxImport.Load(Write(m));
        var e = Assert.Throws<NotSupportedException>(() => model.Forward(Tensor.Rand(2, 1, 4, 4)));
        Assert.Contains(node.Name, e.Message);
        Assert.Contains("dilations", e.Message);
    }

    [Fact]
    public void ValueDefinedTwiceAndSeveralInputs()
    {
        ModelProto m = Valid();
        m.Graph.Node[1].Output[0] = m.Graph.Node[0].Output[0];
        Fails<InvalidDataException>(Write(m), "defined twice");

        m = Valid();
        m.Graph.Input.Add(new ValueInfoProto { Name = "second" });
        Fails<InvalidDataException>(Write(m), "one input");
    }
}
