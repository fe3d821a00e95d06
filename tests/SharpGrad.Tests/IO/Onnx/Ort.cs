using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace SharpGrad.Tests.IO.Onnx;

/// <summary>Runs ONNX models with ONNX Runtime (CPU, two threads), the reference every export is checked against.</summary>
internal static class Ort
{
    /// <summary>The model's only output for <paramref name="input"/>, as a float SharpGrad tensor.</summary>
    public static Tensor Run(byte[] model, Tensor input)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 2 };
        using var session = new InferenceSession(model, options);
        return Run(session, input);
    }

    /// <summary>The session's only output for <paramref name="input"/>.</summary>
    public static Tensor Run(InferenceSession session, Tensor input)
    {
        string name = session.InputMetadata.Keys.Single();
        var dense = new DenseTensor<float>(input.Contiguous().ToArray<float>(), input.Shape.ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(name, dense)]);
        DisposableNamedOnnxValue output = results.Single();
        var t = output.AsTensor<float>();
        return Tensor.From(t.ToArray(), t.Dimensions.ToArray());
    }

    /// <summary>Asserts ONNX Runtime's output is SharpGrad's within 1e-5 absolute plus 1e-4 relative, elementwise.</summary>
    public static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.True(expected.Shape == actual.Shape, $"{what}: shape {actual.Shape}, expected {expected.Shape}");
        float[] e = expected.Contiguous().ToArray<float>(), a = actual.ToArray<float>();
        for (int i = 0; i < e.Length; i++)
        {
            float tol = 1e-5f + 1e-4f * Math.Abs(e[i]);
            Assert.True(Math.Abs(e[i] - a[i]) <= tol || (float.IsNaN(e[i]) && float.IsNaN(a[i])),
                $"{what}: element {i} is {a[i]} in ONNX Runtime, {e[i]} in SharpGrad (tolerance {tol}).");
        }
    }
}
