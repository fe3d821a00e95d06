using System.CommandLine;

namespace SharpGrad.Cli;

/// <summary>Options shared by the commands that load a dataset: --data, --bs, --channels, --seed.</summary>
internal sealed class CommonOptions
{
    public readonly Option<string?> Data = DatasetsCommand.DataOption();
    public readonly Option<int> BatchSize = new("--bs") { Description = "Batch size.", DefaultValueFactory = _ => 256 };
    public readonly Option<int> Channels = new("--channels") { Description = "Image channels to load: 1 (grayscale) or 3 (RGB).", DefaultValueFactory = _ => 1 };
    public readonly Option<ulong> Seed = new("--seed") { Description = "Random seed (initial weights, shuffling, random splits).", DefaultValueFactory = _ => 42 };

    public record Values(string? DataDir, int BatchSize, int Channels, ulong Seed, bool BatchSizeGiven = true);

    public void AddTo(Command command)
    {
        command.Options.Add(Data);
        command.Options.Add(BatchSize);
        command.Options.Add(Channels);
        command.Options.Add(Seed);
    }

    public string? Validate(ParseResult r)
    {
        int bs = r.GetValue(BatchSize), ch = r.GetValue(Channels);
        if (bs < 1) return $"--bs must be at least 1, got {bs}.";
        if (ch is not (1 or 3)) return $"--channels must be 1 or 3, got {ch}.";
        return null;
    }

    public Values Read(ParseResult r) =>
        new(r.GetValue(Data), r.GetValue(BatchSize), r.GetValue(Channels), r.GetValue(Seed), r.GetResult(BatchSize) is { Implicit: false });
}
