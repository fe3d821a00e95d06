using System.Text.Json;
using System.Text.Json.Nodes;
using SharpGrad.IO;
using SharpGrad.NN;
using SharpGrad.Optim;

namespace SharpGrad.Learning;

/// <summary>Where an interrupted fit continues: its position and a function that puts its saved state back into a learner.</summary>
internal sealed record ResumePoint(int Epoch, int TrainIter, int NEpoch, Action<Learner> Restore);

/// <summary>
/// Checkpoints: everything needed to continue a fit exactly where it stopped, in one file (see
/// <see cref="CheckpointFile"/>) — weights and buffers, the optimizer's state (Adam's moments and step counts, momentum),
/// the fit's position (epoch, batch, the schedule's progress), every random generator's state (the default one, the
/// dropout layers', the shuffling one as it was when the epoch drew its order), the loaders' pass counts (from which
/// per-batch augmentation is seeded), and the recorder's history. A fit resumed from a checkpoint ends with weights
/// bitwise identical to an uninterrupted one (same seed, same thread count).
/// </summary>
public static class Checkpoint
{
    private const int Version = 1;

    /// <summary>Writes the learner's state at its current position to <paramref name="path"/> (durably, atomically).</summary>
    /// <param name="learn">The learner.</param>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="epochDone">Whether the current epoch has finished (validation included): the fit then continues with the next epoch.</param>
    public static void Save(Learner learn, string path, bool epochDone = false)
    {
        var tensors = new Dictionary<string, Tensor>();
        foreach ((string name, Tensor t) in learn.Model.StateDict()) tensors["model/" + name] = t.Detach();
        var state = new JsonObject
        {
            ["version"] = Version,
            ["epoch"] = epochDone ? learn.Epoch + 1 : learn.Epoch,
            ["iter"] = epochDone ? 0 : learn.TrainBatchesDone,
            ["train_iter"] = learn.TrainIter,
            ["n_epoch"] = learn.NEpoch,
        };
        if (learn.Opt is { } opt)
        {
            OptimizerSnapshot snap = opt.Snapshot();
            var parameters = opt.Parameters.ToList();
            for (int i = 0; i < parameters.Count; i++)
                if (snap.State.TryGetValue(parameters[i], out float[][]? buffers))
                    for (int b = 0; b < buffers.Length; b++) tensors[$"opt/{i}/{b}"] = Tensor.From(buffers[b]);
            state["hyper"] = new JsonArray(snap.Hyper.Select(h => (JsonNode)new JsonObject(h.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)))).ToArray());
            if (snap.Extra is Dictionary<Tensor, int> steps)
                state["steps"] = new JsonArray(parameters.Select(p => (JsonNode)(steps.TryGetValue(p, out int s) ? s : -1)).ToArray());
        }
        state["generators"] = new JsonArray(Generators(learn).Select(g => (JsonNode)Words(g.GetState())).ToArray());
        var (passes, shuffle) = epochDone ? learn.Dls.Train.NextPassStart : learn.Dls.Train.PassStart;
        state["train_passes"] = passes;
        state["train_shuffle"] = shuffle is null ? null : Words(shuffle);
        state["valid_passes"] = learn.Dls.Valid.NextPassStart.Passes;
        Recorder rec = learn.Recorder;
        state["recorder"] = new JsonObject
        {
            ["losses"] = Doubles(rec.Losses),
            ["lrs"] = Doubles(rec.Lrs),
            ["epoch_iters"] = new JsonArray(rec.EpochIters.Select(i => (JsonNode)i).ToArray()),
            ["values"] = new JsonArray(rec.Values.Select(v => (JsonNode)Doubles(v)).ToArray()),
            ["smooth"] = new JsonArray(Num(rec.SmoothState.Value), rec.SmoothState.Count),
        };
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        CheckpointFile.Write(path, tensors, state.ToJsonString());
    }

    /// <summary>A checkpoint from inside a training batch's after-batch event, where the learner has not yet counted the batch as done.</summary>
    internal static void SaveAfterBatch(Learner learn, string path)
    {
        learn.CountBatchDone();
        try { Save(learn, path); }
        finally { learn.UncountBatchDone(); }
    }

    /// <summary>
    /// Loads the checkpoint at <paramref name="path"/> into <paramref name="learn"/> (built as when it was saved: same
    /// model, data and optimizer) and arms it: the next fit call — the same one that was interrupted — continues from
    /// the saved position instead of starting over.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a checkpoint, corrupt, or made for another model; the message names the file.</exception>
    public static void Load(Learner learn, string path)
    {
        (Dictionary<string, Tensor> tensors, string text) = CheckpointFile.Read(path);
        JsonNode state = JsonNode.Parse(text) ?? throw new InvalidDataException($"{path}: empty checkpoint state.");
        try
        {
            if (state["version"]!.GetValue<int>() != Version) throw new InvalidDataException($"{path}: checkpoint version {state["version"]}, this SharpGrad reads {Version}.");
            LoadModel(learn, tensors, path);
            if (learn.Opt is null) learn.CreateOpt();
            Optimizer opt = learn.Opt!;
            var parameters = opt.Parameters.ToList();
            var buffers = new Dictionary<Tensor, float[][]>(ReferenceEqualityComparer.Instance);
            for (int i = 0; i < parameters.Count; i++)
            {
                var list = new List<float[]>();
                while (tensors.TryGetValue($"opt/{i}/{list.Count}", out Tensor? b)) list.Add(b.ToArray<float>());
                if (list.Count > 0) buffers[parameters[i]] = [.. list];
            }
            var hyper = state["hyper"]!.AsArray().Select(g => g!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<double>())).ToList();
            if (hyper.Count != opt.ParamGroups.Count) throw new InvalidDataException($"{path}: {hyper.Count} parameter groups saved, the optimizer has {opt.ParamGroups.Count}.");
            Dictionary<Tensor, int>? steps = null;
            if (state["steps"] is JsonArray s)
            {
                steps = new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance);
                for (int i = 0; i < parameters.Count && i < s.Count; i++)
                    if (s[i]!.GetValue<int>() is var n and >= 0) steps[parameters[i]] = n;
            }
            opt.Restore(new OptimizerSnapshot(buffers, hyper) { Extra = steps });
            var generators = Generators(learn);
            JsonArray saved = state["generators"]!.AsArray();
            if (saved.Count != generators.Count) throw new InvalidDataException($"{path}: {saved.Count} random generators saved, the learner has {generators.Count}.");
            for (int i = 0; i < saved.Count; i++) generators[i].SetState(FromWords(saved[i]!));
            int epoch = state["epoch"]!.GetValue<int>(), iter = state["iter"]!.GetValue<int>();
            long trainPasses = state["train_passes"]!.GetValue<long>(), validPasses = state["valid_passes"]!.GetValue<long>();
            ulong[]? shuffle = state["train_shuffle"] is JsonNode sh ? FromWords(sh) : null;
            JsonNode rec = state["recorder"]!;
            learn.PendingResume = new ResumePoint(epoch, state["train_iter"]!.GetValue<int>(), state["n_epoch"]!.GetValue<int>(), l =>
            {
                l.Dls.Train.Rewind(trainPasses, shuffle, iter);
                l.Dls.Valid.Rewind(validPasses, null, 0);
                Recorder r = l.Recorder;
                r.Losses.AddRange(rec["losses"]!.AsArray().Select(Double));
                r.Lrs.AddRange(rec["lrs"]!.AsArray().Select(Double));
                r.EpochIters.AddRange(rec["epoch_iters"]!.AsArray().Select(v => v!.GetValue<int>()));
                r.Values.AddRange(rec["values"]!.AsArray().Select(row => row!.AsArray().Select(Double).ToArray()));
                JsonArray smooth = rec["smooth"]!.AsArray();
                r.SmoothState = (Double(smooth[0]), smooth[1]!.GetValue<int>());
            });
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException or JsonException or KeyNotFoundException)
        {
            throw new InvalidDataException($"{path}: the checkpoint's state is malformed ({e.Message}).", e);
        }
    }

    /// <summary>Loads only the weights and buffers of a checkpoint into the model.</summary>
    public static void LoadWeights(Learner learn, string path) => LoadModel(learn, CheckpointFile.Read(path).Tensors, path);

    private static void LoadModel(Learner learn, Dictionary<string, Tensor> tensors, string path)
    {
        var model = tensors.Where(kv => kv.Key.StartsWith("model/", StringComparison.Ordinal)).ToDictionary(kv => kv.Key["model/".Length..], kv => kv.Value);
        try
        {
            learn.Model.LoadStateDict(model);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: the checkpoint is for another model: {e.Message}", e);
        }
    }

    /// <summary>The default generator, then each distinct generator of the model's dropout layers, in module order.</summary>
    private static List<Generator> Generators(Learner learn)
    {
        var list = new List<Generator> { Generator.Default };
        foreach ((_, Module m) in learn.Model.NamedModules())
            if (m is Dropout { Generator: { } g } && !list.Contains(g)) list.Add(g);
        return list;
    }

    private static JsonArray Words(ulong[] words) => new(words.Select(w => (JsonNode)w.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());

    private static ulong[] FromWords(JsonNode node) => node.AsArray().Select(w => ulong.Parse(w!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private static JsonArray Doubles(IEnumerable<double> values) => new(values.Select(v => (JsonNode?)Num(v)).ToArray());

    private static double Double(JsonNode? v) => v is null ? double.NaN : v.GetValue<double>();

    /// <summary>A double as JSON; NaN (a metric with no batches) as null.</summary>
    private static JsonNode? Num(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
}
