#:project ../src/SharpGrad/SharpGrad.csproj
#:project ../src/SharpGrad.Cuda/SharpGrad.Cuda.csproj
#:property PublishAot=false

// Training on a GPU: chapter 4's simple_net (784-30-2, mnist-sample) moved to a CUDA device with learn.To, next to
// the same run on the CPU.
//
//     dotnet run -c Release examples/train_on_gpu.cs
//
// SharpGrad.Cuda compiles its kernels with ILGPU at run time (the NVIDIA driver is all it needs), hence
// PublishAot=false above. Without a GPU the device code runs on ILGPU's CPU simulator, slowly, so the example then
// trains on the first 256 images only: the point is that both runs agree, which they do on a GPU too.

using SharpGrad;
using SharpGrad.Cuda;
using SharpGrad.Data;
using SharpGrad.Learning;
using SharpGrad.NN;

bool gpu = CudaBackend.TryOpen(Device.Cuda(0), out string? why);
if (!gpu)
{
    Console.WriteLine($"no CUDA device ({why}): running the device code on ILGPU's CPU simulator");
    CudaBackend.UseSimulator();
}
DataLoaders images = ImageDataLoaders.FromFolder(Datasets.Get(Datasets.MnistSample), bs: 256, channels: 1);
Dataset Take(Dataset d, int n)
{
    Batch b = d.Collate(Enumerable.Range(0, Math.Min(n, d.Count)).ToArray());
    return new TensorDataset(b.X, b.Y!);
}
int count = gpu ? int.MaxValue : 256;
Dataset train = Take(images.Train.Dataset, count), valid = Take(images.Valid.Dataset, count);

Learner Fit(Device device)
{
    var dls = new DataLoaders(new DataLoader(train, 256, shuffle: true, generator: new Generator(1)), new DataLoader(valid, 256), images.Vocab);
    Module model = Nn.Sequential(Nn.Flatten(), Nn.Linear(28 * 28, 30, generator: new Generator(2)), Nn.ReLU(), Nn.Linear(30, 2, generator: new Generator(3)));
    var learn = new Learner(dls, model, F.CrossEntropy, Optimizers.Sgd, [Metrics.Accuracy]) { Output = null };
    learn.To(device);
    var clock = System.Diagnostics.Stopwatch.StartNew();
    learn.Fit(2, lr: 0.1);
    double[] last = learn.Recorder.Values[^1];
    Console.WriteLine($"{device}: valid loss {last[1]:F4}, accuracy {last[2]:F4} ({clock.Elapsed.TotalSeconds:F1} s)");
    return learn;
}

Learner cpu = Fit(Device.Cpu), cuda = Fit(Device.Cuda(0));
float gap = cpu.Model.Parameters().Zip(cuda.Model.Parameters())
    .Max(p => (p.First - p.Second.To(Device.Cpu)).Abs().Max().Item());
Console.WriteLine($"largest weight difference between the two runs: {gap:E1}");
