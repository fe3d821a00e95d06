namespace SharpGrad;

public sealed partial class Tensor
{
    /// <summary>exp(x) / sum(exp(x)) along <paramref name="dim"/>, computed stably.</summary>
    public Tensor Softmax(int dim) => SoftmaxImpl(dim, log: false);

    /// <summary>log(softmax(x)) along <paramref name="dim"/>, computed stably as x - max - log(sum(exp(x - max))).</summary>
    public Tensor LogSoftmax(int dim) => SoftmaxImpl(dim, log: true);

    private Tensor SoftmaxImpl(int dim, bool log)
    {
        string op = log ? "LogSoftmax" : "Softmax";
        if (DType != DType.Float32) throw new NotSupportedException($"{op} needs a float tensor, got {DType.TorchName()}.");
        if (NDim == 0) return Unsqueeze(0).SoftmaxImpl(0, log).Reshape();
        int d = ShapeMath.NormalizeDim(dim, NDim, op);
        int last = NDim - 1;
        // Work on rows: move dim last (a copy only when it was not last already).
        Tensor x = d == last ? Detach().Contiguous() : Detach().Transpose(d, last).Contiguous();
        int n = Sizes[d], rows = n == 0 ? 0 : Numel / n;
        DeviceBackend? backend = IsOnDevice ? Memory.Backend : null;
        Tensor y = backend is null ? Uninitialized(x.Sizes) : OnDevice(backend, x.Sizes);
        if (backend is not null)
        {
            if (rows > 0) backend.Softmax(y.Memory, x.Memory, x.Offset, rows, n, log);
        }
        else
        {
            Kernels.Softmax.Forward(y.Floats, x.Floats, rows, n, log);
            CapturedGraph.Record(y, (y, x, rows, n, log), static s => Kernels.Softmax.Forward(s.y.Floats, s.x.Floats, s.rows, s.n, s.log));
        }
        Tensor result = d == last ? y : y.Transpose(d, last).Contiguous();
        return Record(result, log ? OpKind.LogSoftmax : OpKind.Softmax, this, g =>
        {
            Tensor gr = d == last ? g.Contiguous() : g.Transpose(d, last).Contiguous();
            Tensor dx;
            if (backend is not null)
            {
                if (gr.Device != y.Device) throw new InvalidOperationException($"{op} backward: the gradient is on {gr.Device}, the output on {y.Device}.");
                dx = OnDevice(backend, gr.Sizes);
                if (rows > 0) backend.SoftmaxBackward(dx.Memory, gr.Memory, gr.Offset, y.Memory, rows, n, log);
            }
            else
            {
                dx = Uninitialized(gr.Sizes);
                Kernels.Softmax.Backward(dx.Floats, gr.Floats, y.Floats, rows, n, log);
                CapturedGraph.Record(dx, (dx, gr, y, rows, n, log), static s => Kernels.Softmax.Backward(s.dx.Floats, s.gr.Floats, s.y.Floats, s.rows, s.n, s.log));
            }
            return d == last ? dx : dx.Transpose(d, last).Contiguous();
        }, OpTrace.IsActive ? new OpAttributes.Dims([d], false) : null);
    }
}
