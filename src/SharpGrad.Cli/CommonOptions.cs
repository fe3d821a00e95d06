using System.CommandLine;
using SharpGrad.Data;

namespace SharpGrad.Cli;

/// <summary>Options shared by the commands that load a dataset: --data, --bs, --channels, --seed.</summary>
internal sealed class CommonOptions
{
    public readonly Option<string?> Data = DatasetsCommand.DataOption();
    public readonly Option<int> BatchSize = new("--bs") { Description = "Batch size.", DefaultValueFactory = _ => 256 };
    public readonly Option<int> Channels = new("--channels") { Description = "Image channels to load: 1 (grayscale) or 3 (RGB).", DefaultValueFactory = _ => 1 };
    public readonly Option<ulong> Seed = new("--seed") { Description = "Random seed (initial weights, shuffling, random splits).", DefaultValueFactory = _ => 42 };

    public readonly Option<string?> Size = new("--size")
    {
        Description = "Resize every image to this size before batching (fastai's item_tfms=Resize): 224, or HEIGHTxWIDTH such as 160x224. Needed when a folder's images differ in size.",
    };
    public readonly Option<string> ResizeMethod = new("--resize") { Description = "How --size fits other shapes: crop (random crop when training, centre otherwise), pad or squish.", DefaultValueFactory = _ => "crop" };

    public record Values(string? DataDir, int BatchSize, int Channels, ulong Seed, bool BatchSizeGiven = true, ItemTransform? ItemTfms = null);

    public void AddTo(Command command)
    {
        command.Options.Add(Data);
        command.Options.Add(BatchSize);
        command.Options.Add(Channels);
        command.Options.Add(Seed);
        command.Options.Add(Size);
        ResizeMethod.AcceptOnlyFromAmong("crop", "pad", "squish");
        command.Options.Add(ResizeMethod);
    }

    public string? Validate(ParseResult r)
    {
        int bs = r.GetValue(BatchSize), ch = r.GetValue(Channels);
        if (bs < 1) return $"--bs must be at least 1, got {bs}.";
        if (ch is not (1 or 3)) return $"--channels must be 1 or 3, got {ch}.";
        if (r.GetValue(Size) is { } size && ParseSize(size) is null)
            return $"--size must be a positive size such as 224 or 160x224 (height x width, at most 16384), got '{size}'.";
        return null;
    }

    public Values Read(ParseResult r) =>
        new(r.GetValue(Data), r.GetValue(BatchSize), r.GetValue(Channels), r.GetValue(Seed), r.GetResult(BatchSize) is { Implicit: false }, ItemTfms(r));

    /// <summary>The Resize the --size and --resize options ask for, or null.</summary>
    private ItemTransform? ItemTfms(ParseResult r)
    {
        if (r.GetValue(Size) is not { } text || ParseSize(text) is not { } size) return null;
        var method = Enum.Parse<SharpGrad.Data.ResizeMethod>(r.GetValue(ResizeMethod)!, ignoreCase: true);
        return new Resize(size, method);
    }

    /// <summary>"224" or "160x224" as (height, width); null when malformed or out of range.</summary>
    internal static (int Height, int Width)? ParseSize(string text)
    {
        string[] parts = text.Split('x', 'X');
        if (parts.Length is < 1 or > 2) return null;
        var numbers = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out numbers[i]) || numbers[i] is < 1 or > 16384)
                return null;
        return parts.Length == 1 ? (numbers[0], numbers[0]) : (numbers[0], numbers[1]);
    }
}
