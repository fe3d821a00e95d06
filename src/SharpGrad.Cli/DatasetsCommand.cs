using System.CommandLine;
using SharpGrad.Data;
using SharpGrad.Reporting;
using Spectre.Console;

namespace SharpGrad.Cli;

/// <summary><c>sharpgrad datasets list</c> and <c>sharpgrad datasets get NAME</c>: the dataset catalog and its cache.</summary>
internal static class DatasetsCommand
{
    /// <summary>The shared <c>--data</c> option: the cache root.</summary>
    public static Option<string?> DataOption() => new("--data")
    {
        Description = $"Dataset cache folder (default: ${DataDirectory.EnvironmentVariable}, else {DataDirectory.Default}).",
    };

    public static Command Create()
    {
        var data = DataOption();
        var list = new Command("list", "List the datasets: name, files, size and whether each is cached.") { data };
        list.SetAction(r => List(r.GetValue(data)));

        var name = new Argument<string>("name") { Description = "Dataset name: " + string.Join(", ", Datasets.All.Select(d => d.Name)) + "." };
        var getData = DataOption();
        var get = new Command("get", "Fetch a dataset into the cache (if needed) and print its local path.") { name, getData };
        get.SetAction((r, ct) => Task.FromResult(Get(r.GetValue(name)!, r.GetValue(getData), ct)));

        return new Command("datasets", "The dataset catalog: list datasets, fetch one into the cache.") { list, get };
    }

    private static int List(string? data)
    {
        string root = DataDirectory.Resolve(data);
        var table = new Table().AddColumn("name").AddColumn(new TableColumn("files").RightAligned())
            .AddColumn(new TableColumn("size").RightAligned()).AddColumn("cached").AddColumn("description");
        foreach (DatasetInfo d in Datasets.All)
        {
            bool cached = Datasets.IsCached(d.Name, root);
            table.AddRow(d.Name, d.FileCount.ToString("N0"), "~" + FormatBytes(d.ApproximateBytes),
                cached ? "[green]yes[/]" : "no", Markup.Escape(d.Description));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"cache: {Markup.Escape(root)}");
        return 0;
    }

    private static int Get(string name, string? data, CancellationToken cancellation) => Cli.Run(() =>
    {
        string path = Datasets.Get(name, data, Reporters.Default, cancellation);
        Console.Out.WriteLine(path);
        return 0;
    });

    private static string FormatBytes(long n) => n >= 1_000_000 ? $"{n / 1_000_000} MB" : $"{n / 1000} kB";
}
