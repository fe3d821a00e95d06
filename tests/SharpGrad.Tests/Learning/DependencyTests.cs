namespace SharpGrad.Tests.Learning;

/// <summary>The core library stays free of console UI: live bars belong to the CLI, the library writes plain lines.</summary>
public class DependencyTests
{
    [Fact]
    public void The_core_library_references_no_console_UI_package()
    {
        var references = typeof(Tensor).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.DoesNotContain(references, n => n!.StartsWith("Spectre", StringComparison.Ordinal));
        Assert.IsType<SharpGrad.Reporting.PlainReporter>(SharpGrad.Reporting.Reporters.Console);
    }

    [Fact]
    public void The_plain_reporter_writes_lines_to_its_writer()
    {
        var output = new StringWriter();
        var reporter = new SharpGrad.Reporting.PlainReporter(output);
        using (var task = reporter.Start("decoding 10 images", 10))
        {
            task.Advance(10);
            task.Complete();
        }
        reporter.Log("skipped a source");
        string text = output.ToString();
        Assert.Contains("decoding 10 images: 10 in", text);
        Assert.Contains("skipped a source", text);
    }
}
