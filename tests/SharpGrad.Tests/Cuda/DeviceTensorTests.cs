using SharpGrad.Learning;
using SharpGrad.NN;

namespace SharpGrad.Tests.Cuda;

/// <summary>
/// Tensors on a CUDA device through the tensor API (issue 16's seam), on ILGPU's CPU simulator standing in for
/// cuda:0 (the GPU itself when SHARPGRAD_TEST_CUDA is set): every op equals the CPU within 1e-5 absolute / 1e-4
/// relative, mixing devices fails naming both, and an op the backend lacks fails naming the device and the fix.
/// </summary>
[Trait("Category", "Device")]
public sealed class DeviceTensorTests
{
    private static Device Cuda => TestDevices.Cuda;

    private static void Close(Tensor expected, Tensor actual, string what) => TestDevices.AssertClose(expected, actual, what);

    [Fact]
    public void Devices_print_and_parse_as_PyTorch_writes_them()
    {
        Assert.Equal("cpu", Device.Cpu.ToString());
        Assert.Equal("cuda:1", Device.Cuda(1).ToString());
        Assert.Equal(Device.Cuda(0), Device.Parse("cuda"));
        Assert.Equal(Device.Cuda(2), Device.Parse(" CUDA:2 "));
        Assert.Equal(Device.Cpu, Device.Parse("cpu"));
        Assert.Throws<FormatException>(() => Device.Parse("gpu"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Device.Cuda(-1));
        Assert.Equal(Device.Cpu, Tensor.Zeros(2).Device);
    }

    [Fact]
    public void A_tensor_goes_to_the_device_and_back_unchanged()
    {
        Tensor x = Tensor.Randn([3, 5], new Generator(1));
        Tensor d = x.To(Cuda);
        Assert.Equal(Cuda, d.Device);
        Assert.True(d.IsOnDevice);
        Assert.Same(d, d.To(Cuda));
        Assert.Equal(x.ToArray<float>(), d.ToArray<float>());
        Assert.Equal(x[1, 2].Item(), d[1, 2].Item());
        Tensor back = d.To(Device.Cpu);
        Assert.Equal(Device.Cpu, back.Device);
        Assert.Equal(x.ToArray<float>(), back.ToArray<float>());
        // A view (a transpose, a slice) keeps its geometry on the device.
        Assert.Equal(x.T.Contiguous().ToArray<float>(), d.T.ToArray<float>());
        Assert.Equal(x.T.To(Cuda).ToArray<float>(), x.T.Contiguous().ToArray<float>());
        Assert.Contains("device='cuda:0'", d.ToString());
        Assert.Throws<NotSupportedException>(() => Tensor.Zeros([2], DType.Int64).To(Cuda));
    }

    [Fact]
    public void Elementwise_ops_broadcast_on_the_device_as_on_the_CPU()
    {
        var g = new Generator(2);
        Tensor a = Tensor.Randn([4, 3], g), b = Tensor.Randn([4, 3], g), row = Tensor.Randn([3], g), col = Tensor.Randn([4, 1], g);
        Tensor da = a.To(Cuda), db = b.To(Cuda), drow = row.To(Cuda), dcol = col.To(Cuda);
        Close(a + b, da + db, "a + b");
        Close(a - row, da - drow, "a - row");
        Close(a * col, da * dcol, "a * col");
        Close(col / (row.Abs() + 1), dcol / (drow.Abs() + 1), "col / row");
        Close(a * 2.5f, da * 2.5f, "a * scalar");
        Close(a.T + b.T, da.T + db.T, "transposed views");
        Close(a.Maximum(b), da.Maximum(db), "maximum");
        Close(a.Abs().Pow(b.Abs()), da.Abs().Pow(db.Abs()), "pow");
        foreach ((string name, Func<Tensor, Tensor> f) in new (string, Func<Tensor, Tensor>)[]
        {
            ("relu", t => t.Relu()), ("exp", t => t.Exp()), ("sigmoid", t => t.Sigmoid()), ("tanh", t => t.Tanh()),
            ("neg", t => t.Neg()), ("sqrt", t => t.Abs().Sqrt()), ("log", t => (t.Abs() + 0.1f).Log()), ("square", t => t.Square()),
        })
            Close(f(a.T), f(da.T), name);
    }

    [Fact]
    public void MatMul_and_sums_on_the_device_equal_the_CPU()
    {
        var g = new Generator(3);
        Tensor x = Tensor.Randn([6, 7], g), w = Tensor.Randn([5, 7], g), v = Tensor.Randn([2, 6, 7], g);
        Tensor dx = x.To(Cuda), dw = w.To(Cuda), dv = v.To(Cuda);
        Close(x.MatMul(w.T), dx.MatMul(dw.T), "x @ w.T");
        Close(w.MatMul(x.T), dw.MatMul(dx.T), "w @ x.T");
        Close(v.MatMul(w.T), dv.MatMul(dw.T), "batched, folded into rows");
        Close(x[1..4].MatMul(w.T), dx[1..4].MatMul(dw.T), "an offset view");
        Close(x.Sum(), dx.Sum(), "sum");
        Close(x.Mean(), dx.Mean(), "mean");
        Close(x.Sum(0), dx.Sum(0), "sum(0)");
        Close(v.Sum(1, keepDim: true), dv.Sum(1, keepDim: true), "sum(1, keepdim)");
        Close(v.Permute(2, 0, 1).Sum(2), dv.Permute(2, 0, 1).Sum(2), "sum of a permuted view");
        Assert.Equal(Cuda, dx.Sum().Device);
    }

    [Fact]
    public void Gradients_flow_through_a_device_MLP_and_a_training_step_matches_the_CPU()
    {
        var g = new Generator(4);
        Tensor x = Tensor.Randn([16, 10], g), y = Tensor.Randn([16, 2], g);
        Tensor[] Init() => [Tensor.Randn([8, 10], new Generator(5)) * 0.3f, Tensor.Zeros(8), Tensor.Randn([2, 8], new Generator(6)) * 0.3f, Tensor.Zeros(2)];
        (float Loss, Tensor[] Params) Train(Device device)
        {
            Tensor[] p = Init().Select(t => t.To(device).Detach().RequiresGrad()).ToArray();
            Tensor xd = x.To(device), yd = y.To(device);
            float loss = 0;
            for (int step = 0; step < 3; step++)
            {
                Tensor h = (xd.MatMul(p[0].T) + p[1]).Relu();
                Tensor l = (h.MatMul(p[2].T) + p[3] - yd).Square().Mean();
                foreach (Tensor t in p) t.Grad = null;
                l.Backward();
                using (Tensor.NoGrad())
                    foreach (Tensor t in p)
                    {
                        Assert.Equal(device, t.Grad!.Device);
                        t.SubInPlace(t.Grad, 0.1f);
                    }
                loss = l.Item();
            }
            return (loss, p);
        }
        (float cpuLoss, Tensor[] cpu) = Train(Device.Cpu);
        (float devLoss, Tensor[] dev) = Train(Cuda);
        Assert.Equal(cpuLoss, devLoss, 4);
        for (int i = 0; i < cpu.Length; i++) Close(cpu[i], dev[i], $"parameter {i} after 3 steps");
        // A gradient crosses devices through To: a CPU leaf used on the device gets a CPU gradient.
        Tensor leaf = Tensor.Randn([3], g).RequiresGrad();
        (leaf.To(Cuda) * 2f).Sum().Backward();
        Assert.Equal(Device.Cpu, leaf.Grad!.Device);
        Assert.Equal([2f, 2f, 2f], leaf.Grad.ToArray<float>());
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("sgd-momentum")]
    [InlineData("adam")]
    public void A_module_moved_to_the_device_trains_with_an_optimizer_as_on_the_CPU(string opt)
    {
        var g = new Generator(7);
        Tensor x = Tensor.Randn([32, 12], g), y = Tensor.Randn([32, 3], g);
        (Module Model, float Loss, Optim.OptimizerSnapshot State) Train(Device device)
        {
            Module model = Nn.Sequential(Nn.Linear(12, 16, generator: new Generator(8)), Nn.ReLU(), Nn.Linear(16, 3, generator: new Generator(9)));
            Optim.Optimizer o = opt switch
            {
                "sgd" => new Optim.Sgd(model.Parameters(), 0.05, wd: 0.01),
                "sgd-momentum" => new Optim.Sgd(model.Parameters(), 0.05, mom: 0.9),
                _ => new Optim.Adam(model.Parameters(), 0.01, wd: 0.01),
            };
            Assert.Same(model, model.To(device)); // after the optimizer: the same tensors move
            Assert.Equal(device, model.Device);
            Tensor xd = x.To(device), yd = y.To(device);
            float loss = 0;
            for (int step = 0; step < 4; step++)
            {
                Tensor l = (model.Forward(xd) - yd).Square().Mean();
                o.ZeroGrad(setToNone: step % 2 == 0);
                l.Backward();
                o.Step();
                loss = l.Item();
            }
            return (model, loss, o.Snapshot());
        }
        (Module cpu, float cpuLoss, Optim.OptimizerSnapshot cpuState) = Train(Device.Cpu);
        (Module dev, float devLoss, Optim.OptimizerSnapshot devState) = Train(Cuda);
        Assert.Equal(cpuLoss, devLoss, 4);
        Tensor[] a = cpu.Parameters().ToArray(), b = dev.Parameters().ToArray();
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(Cuda, b[i].Device);
            Close(a[i], b[i], $"{opt}: parameter {i}");
        }
        // The optimizer's state lives beside the parameters and snapshots to the host like the CPU's.
        Assert.Equal(cpuState.State.Count, devState.State.Count);
        dev.To(Device.Cpu);
        Assert.All(dev.Parameters(), p => Assert.Equal(Device.Cpu, p.Device));
        Close(a[0], b[0], "moved back");
    }

    [Fact]
    public void Softmax_log_softmax_and_cross_entropy_with_their_gradients_equal_the_CPU()
    {
        var g = new Generator(11);
        Tensor x = Tensor.Randn([6, 5], g) * 3f, w = Tensor.Randn([6, 5], g);
        Tensor labels = Tensor.From(new long[] { 4, 0, 2, 2, 1, 3 });
        foreach ((string name, Func<Tensor, Tensor> f) in new (string, Func<Tensor, Tensor>)[]
        {
            ("softmax(1)", t => t.Softmax(1)), ("softmax(0)", t => t.Softmax(0)), ("log_softmax(1)", t => t.LogSoftmax(1)),
            ("log_softmax(0)", t => t.LogSoftmax(0)), ("cross_entropy", t => F.CrossEntropy(t, labels)),
        })
        {
            Tensor cpuLeaf = x.Detach().RequiresGrad(), devLeaf = x.Detach().RequiresGrad();
            Tensor onCpu = f(cpuLeaf), onDev = f(devLeaf.To(Cuda));
            Assert.Equal(Cuda, onDev.Device);
            Close(onCpu, onDev, name);
            Tensor weight = onCpu.NDim == 0 ? Tensor.Scalar(1f) : w;
            (onCpu * weight).Sum().Backward();
            (onDev * weight.To(Cuda)).Sum().Backward();
            Close(cpuLeaf.Grad!, devLeaf.Grad!, name + " gradient");
        }
    }

    [Fact]
    public void A_learner_moved_to_the_device_fits_predicts_and_reports_as_on_the_CPU()
    {
        var g = new Generator(12);
        Tensor x = Tensor.Randn([96, 8], g);
        Tensor y = (x[.., 0] + x[.., 1] * 0.5f).Gt(0f).Long();
        var data = new SharpGrad.Data.TensorDataset(x, y);
        (SharpGrad.Learning.Learner Learn, double[] Last) Fit(Device device)
        {
            var dls = new SharpGrad.Data.DataLoaders(new SharpGrad.Data.DataLoader(data, 32, shuffle: true, generator: new Generator(13)), new SharpGrad.Data.DataLoader(data, 48), ["no", "yes"]);
            Module model = Nn.Sequential(Nn.Linear(8, 16, generator: new Generator(14)), Nn.ReLU(), Nn.Linear(16, 2, generator: new Generator(15)));
            var learn = new SharpGrad.Learning.Learner(dls, model, F.CrossEntropy, SharpGrad.Learning.Optimizers.Adam, [SharpGrad.Learning.Metrics.Accuracy]) { Output = null };
            learn.CreateOpt();
            Assert.Same(learn, learn.To(device));
            Assert.Equal(device, learn.Device);
            learn.FitOneCycle(2, 0.02);
            return (learn, learn.Recorder!.Values[^1]);
        }
        (SharpGrad.Learning.Learner cpu, double[] cpuLast) = Fit(Device.Cpu);
        (SharpGrad.Learning.Learner dev, double[] devLast) = Fit(Cuda);
        for (int i = 0; i < cpuLast.Length; i++) Assert.True(Math.Abs(cpuLast[i] - devLast[i]) < 1e-4, $"column {i}: {devLast[i]} on the device, {cpuLast[i]} on the CPU");
        Assert.All(dev.Model.Parameters(), p => Assert.Equal(Cuda, p.Device));
        Close(cpu.GetPreds().Preds, dev.GetPreds().Preds, "GetPreds");
        Assert.Equal(Device.Cpu, dev.GetPreds().Preds.Device);
        Assert.Equal(cpu.Predict(x[3]).Label, dev.Predict(x[3]).Label);
        Assert.Equal(cpu.Summary(), dev.Summary()); // the summary's batch runs where the model is
    }

    [Theory]
    [InlineData(1, 1, 0, 1, false)]
    [InlineData(2, 1, 1, 1, true)]
    [InlineData(1, 2, 2, 2, true)]
    public void Conv2d_and_its_three_gradients_on_the_device_equal_the_CPU(int stride, int dilation, int padding, int groups, bool withBias)
    {
        var g = new Generator(16);
        Tensor x = Tensor.Randn([2, 4, 9, 8], g), w = Tensor.Randn([6, 4 / groups, 3, 3], g) * 0.3f, b = Tensor.Randn([6], g);
        Tensor Run(Device device, Tensor[] leaves)
        {
            Tensor y = F.Conv2d(leaves[0].To(device), leaves[1].To(device), withBias ? leaves[2].To(device) : null, stride, padding, dilation, groups);
            Assert.Equal(device, y.Device);
            (y * y).Sum().Backward();
            return y;
        }
        Tensor[] cpu = [x.Detach().RequiresGrad(), w.Detach().RequiresGrad(), b.Detach().RequiresGrad()];
        Tensor[] dev = [x.Detach().RequiresGrad(), w.Detach().RequiresGrad(), b.Detach().RequiresGrad()];
        Close(Run(Device.Cpu, cpu), Run(Cuda, dev), "conv2d");
        Close(cpu[0].Grad!, dev[0].Grad!, "input gradient");
        Close(cpu[1].Grad!, dev[1].Grad!, "weight gradient");
        if (withBias) Close(cpu[2].Grad!, dev[2].Grad!, "bias gradient");
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void Batch_norm_with_its_gradients_and_running_statistics_on_the_device_equals_the_CPU(bool training, bool relu)
    {
        var g = new Generator(17);
        Tensor x = Tensor.Randn([4, 3, 5, 6], g) * 2f + 0.5f, residual = Tensor.Randn([4, 3, 5, 6], g);
        (Tensor Y, Tensor Xg, Module Bn) Run(Device device)
        {
            var bn = Nn.BatchNorm2d(3);
            using (Tensor.NoGrad())
            {
                bn.Weight!.CopyFrom(Tensor.From(1.5f, 0.5f, -1f));
                bn.Bias!.CopyFrom(Tensor.From(0.1f, -0.2f, 0.3f));
            }
            bn.To(device);
            if (!training) bn.Eval();
            Tensor leaf = x.Detach().RequiresGrad();
            Tensor y = bn.Forward(leaf.To(device));
            if (relu) y = (y + residual.To(device)).Relu();
            (y * y).Sum().Backward();
            return (y, leaf.Grad!, bn);
        }
        var (cy, cg, cbn) = Run(Device.Cpu);
        var (dy, dg, dbn) = Run(Cuda);
        Close(cy, dy, "batch norm");
        Close(cg, dg, "input gradient");
        Tensor[] cp = cbn.Parameters().ToArray(), dp = dbn.Parameters().ToArray();
        for (int i = 0; i < cp.Length; i++) Close(cp[i].Grad!, dp[i].Grad!, $"parameter {i} gradient");
        var cs = cbn.StateDict();
        var ds = dbn.StateDict();
        Close(cs["running_mean"], ds["running_mean"], "running mean");
        Close(cs["running_var"], ds["running_var"], "running var");
    }

    [Fact]
    public void Pools_with_their_gradients_on_the_device_equal_the_CPU()
    {
        Tensor x = Tensor.Randn([2, 3, 6, 4], new Generator(18));
        foreach ((string name, Func<Tensor, Tensor> f) in new (string, Func<Tensor, Tensor>)[]
        {
            ("max 3/2 pad 1", t => F.MaxPool2d(t, 3, 2, 1)), ("max 2", t => F.MaxPool2d(t, 2)),
            ("avg 3/2 pad 1 with pad", t => F.AvgPool2d(t, 3, 2, 1)), ("avg 3/2 pad 1 without pad", t => F.AvgPool2d(t, 3, 2, 1, countIncludePad: false)),
            ("adaptive avg 1", t => F.AdaptiveAvgPool2d(t, 1)), ("adaptive max 1", t => F.AdaptiveMaxPool2d(t, 1)), ("adaptive avg 3x2", t => F.AdaptiveAvgPool2d(t, 3, 2)),
        })
        {
            Tensor cpuLeaf = x.Detach().RequiresGrad(), devLeaf = x.Detach().RequiresGrad();
            Tensor onCpu = f(cpuLeaf), onDev = f(devLeaf.To(Cuda));
            Close(onCpu, onDev, name);
            (onCpu * onCpu).Sum().Backward();
            (onDev * onDev).Sum().Backward();
            Close(cpuLeaf.Grad!, devLeaf.Grad!, name + " gradient");
        }
        Assert.Throws<NotSupportedException>(() => F.AdaptiveAvgPool2d(x.To(Cuda), 4, 3)); // 6x4 does not tile to 4x3
    }

    [Fact]
    public void A_resnet_block_and_fastais_head_train_on_the_device_as_on_the_CPU()
    {
        var g = new Generator(19);
        Tensor x = Tensor.Randn([4, 8, 6, 6], g);
        Tensor labels = Tensor.From(new long[] { 0, 2, 1, 2 });
        (float Loss, Tensor[] Grads) Step(Device device)
        {
            Module model = Nn.Sequential(new SharpGrad.Vision.BasicBlock(8, 16, stride: 2, generator: new Generator(20)), SharpGrad.Vision.CnnLearner.CreateHead(32, 3, hidden: 8, generator: new Generator(21)));
            model.To(device);
            model.Train();
            Tensor loss = F.CrossEntropy(model.Forward(x.To(device)), labels);
            loss.Backward();
            return (loss.Item(), model.Parameters().Select(p => p.Grad!).ToArray());
        }
        (float cpuLoss, Tensor[] cpu) = Step(Device.Cpu);
        (float devLoss, Tensor[] dev) = Step(Cuda);
        Assert.Equal(cpuLoss, devLoss, 4);
        for (int i = 0; i < cpu.Length; i++) Close(cpu[i], dev[i], $"gradient {i}");
    }

    [Fact]
    public void Memory_of_collected_tensors_is_freed_only_after_the_device_has_finished_with_it()
    {
        // Temporaries die while their kernels are still queued; collecting them then must not free memory under a kernel.
        Tensor d = Tensor.Randn([64, 33], new Generator(10)).To(Cuda), expected = Tensor.Zeros(64, 33);
        Tensor x = d.To(Device.Cpu);
        for (int i = 0; i < 40; i++)
        {
            d = (d * 0.5f + d.T.T) * 0.5f + 0.001f;
            x = (x * 0.5f + x.T.T) * 0.5f + 0.001f;
            if (i % 2 == 0)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }
        Close(x, d, "after 40 rounds of temporaries");

        // Deterministically: buffers of collected tensors wait until the device is synchronised (here by a download).
        DeviceBackend backend = d.Memory.Backend;
        d.ToArray<float>();
        int before = backend.PendingReleases;
        MakeGarbage(d, 12);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.True(backend.PendingReleases >= before + 12, $"{backend.PendingReleases} pending after collecting 12 device tensors ({before} before)");
        d.ToArray<float>();
        Assert.True(backend.PendingReleases < 12, $"{backend.PendingReleases} still pending after a synchronising download");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void MakeGarbage(Tensor d, int count)
    {
        for (int i = 0; i < count; i++) _ = d + 1f;
    }

    [Fact]
    public void Mixing_devices_or_an_op_the_backend_lacks_fails_naming_the_device()
    {
        Tensor a = Tensor.Ones(3, 4).To(Cuda), b = Tensor.Ones(3, 4);
        var mixed = Assert.Throws<InvalidOperationException>(() => a + b);
        Assert.Contains("cuda:0", mixed.Message);
        Assert.Contains("cpu", mixed.Message);
        Assert.Contains("To(", mixed.Message);
        Assert.Throws<InvalidOperationException>(() => b.MatMul(a.T));
        var cpuOnly = Assert.Throws<InvalidOperationException>(() => a.Gt(0f));
        Assert.Contains("cuda:0", cpuOnly.Message);
        Assert.Contains(".To(Device.Cpu)", cpuOnly.Message);
        var unsupported = Assert.Throws<NotSupportedException>(() => a.To(DType.Int64));
        Assert.Contains("cuda:0", unsupported.Message);
    }
}
