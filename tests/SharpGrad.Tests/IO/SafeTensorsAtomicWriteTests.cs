using System.Collections;
using SharpGrad.IO;
using SharpGrad.Tests.Data;

namespace SharpGrad.Tests.IO;

/// <summary>Save writes a temporary file beside the target and renames it into place, so a failure changes nothing.</summary>
public class SafeTensorsAtomicWriteTests
{
    private sealed class SimulatedFailure : Exception
    {
        public SimulatedFailure() : base("simulated failure while enumerating the tensors") { }
    }

    /// <summary>A dictionary whose enumeration yields <paramref name="throwAt"/> items, runs <paramref name="atThrow"/> and then throws.</summary>
    private sealed class FailingDictionary(IReadOnlyList<KeyValuePair<string, Tensor>> items, int throwAt, Action atThrow) : IReadOnlyDictionary<string, Tensor>
    {
        public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator()
        {
            for (int i = 0; i < items.Count; i++)
            {
                if (i == throwAt)
                {
                    atThrow();
                    throw new SimulatedFailure();
                }
                yield return items[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
        public int Count => items.Count;
        public Tensor this[string key] => items.First(kv => kv.Key == key).Value;
        public IEnumerable<string> Keys => items.Select(kv => kv.Key);
        public IEnumerable<Tensor> Values => items.Select(kv => kv.Value);
        public bool ContainsKey(string key) => items.Any(kv => kv.Key == key);
        public bool TryGetValue(string key, out Tensor value)
        {
            value = ContainsKey(key) ? this[key] : null!;
            return ContainsKey(key);
        }
    }

    private static string[] Files(string dir) => Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    private static string Existing(string dir)
    {
        string path = Path.Combine(dir, "model.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["old"] = Tensor.From(1f, 2f, 3f) }, new Dictionary<string, string> { ["v"] = "1" });
        return path;
    }

    [Fact]
    public void A_failure_while_enumerating_the_tensors_leaves_the_existing_file_untouched()
    {
        using var dir = new TempDir();
        string path = Existing(dir);
        byte[] before = File.ReadAllBytes(path);
        string[] during = [];
        var items = new List<KeyValuePair<string, Tensor>>
        {
            new("a", Tensor.Randn(100, 100)),
            new("b", Tensor.Randn(100, 100)),
            new("c", Tensor.Randn(100, 100)),
        };
        var failing = new FailingDictionary(items, throwAt: 2, atThrow: () => during = Files(dir));

        Assert.Throws<SimulatedFailure>(() => SafeTensors.Save(path, failing));

        // While writing, the temporary file sat beside the target, named after it.
        Assert.Equal(2, during.Length);
        Assert.Contains("model.safetensors", during);
        Assert.Matches(@"^model\.safetensors\.sharpgrad-tmp-[0-9]+-[0-9a-f]{32}$", during.Single(f => f != "model.safetensors"));
        // Afterwards it is gone and the old file is as it was.
        Assert.Equal(["model.safetensors"], Files(dir));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["old"], SafeTensors.Load(path).Keys);
    }

    [Fact]
    public void Invalid_arguments_leave_the_existing_file_untouched()
    {
        using var dir = new TempDir();
        string path = Existing(dir);
        byte[] before = File.ReadAllBytes(path);
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { ["a"] = Tensor.From(1f), ["__metadata__"] = Tensor.From(2f) }));
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { ["a"] = Tensor.From(1f) }, new Dictionary<string, string> { ["k"] = null! }));
        Assert.Equal(["model.safetensors"], Files(dir));
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_failure_when_renaming_into_place_removes_the_temporary_file()
    {
        using var dir = new TempDir();
        string target = Path.Combine(dir, "taken");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "inside.txt"), "keep");
        Exception e = Assert.ThrowsAny<Exception>(() => SafeTensors.Save(target, new Dictionary<string, Tensor> { ["a"] = Tensor.From(1f) }));
        Assert.True(e is IOException or UnauthorizedAccessException, e.ToString());
        Assert.Equal(["taken"], Files(dir));
        Assert.Equal("keep", File.ReadAllText(Path.Combine(target, "inside.txt")));
    }

    [Fact]
    public void A_missing_folder_is_an_error_and_creates_nothing()
    {
        using var dir = new TempDir();
        Assert.Throws<DirectoryNotFoundException>(() => SafeTensors.Save(Path.Combine(dir, "no", "such", "m.safetensors"), new Dictionary<string, Tensor>()));
        Assert.Empty(Files(dir));
    }

    [Fact]
    public void Saving_replaces_an_existing_file_and_leaves_nothing_else()
    {
        using var dir = new TempDir();
        string path = Existing(dir);
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["new"] = Tensor.Scalar(5L) });
        Assert.Equal(["model.safetensors"], Files(dir));
        Dictionary<string, Tensor> back = SafeTensors.Load(path);
        Assert.Equal(["new"], back.Keys);
        Assert.Equal(5L, back["new"].Item<long>());
        Assert.Empty(SafeTensors.ReadMetadata(path));
    }
}
