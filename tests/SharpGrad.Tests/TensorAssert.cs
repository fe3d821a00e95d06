namespace SharpGrad.Tests;

/// <summary>Tensor comparisons with PyTorch's <c>allclose</c> rule: |a - e| ≤ atol + rtol·|e|.</summary>
public static class TensorAssert
{
    public static void Close(Tensor expected, Tensor actual, float rtol = 1e-4f, float atol = 1e-5f, string what = "")
    {
        Assert.True(expected.Shape == actual.Shape, $"{what}: shape {actual.Shape}, expected {expected.Shape}");
        Assert.True(expected.DType == actual.DType, $"{what}: dtype {actual.DType}, expected {expected.DType}");
        if (expected.DType != DType.Float32)
        {
            Assert.Equal(expected.Long().ToArray<long>(), actual.Long().ToArray<long>());
            return;
        }
        float[] e = expected.ToArray<float>(), a = actual.ToArray<float>();
        for (int i = 0; i < e.Length; i++)
        {
            bool ok = float.IsNaN(e[i]) ? float.IsNaN(a[i]) : Math.Abs(a[i] - e[i]) <= atol + rtol * Math.Abs(e[i]);
            Assert.True(ok, $"{what}: element {i} is {a[i]:R}, expected {e[i]:R} (rtol {rtol}, atol {atol})");
        }
    }

    public static void Equal(float[] expected, Tensor actual)
    {
        Assert.Equal(expected, actual.ToArray<float>());
    }
}
