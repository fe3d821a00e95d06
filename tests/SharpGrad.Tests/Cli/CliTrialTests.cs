using SharpGrad.Data.Images;
using SharpGrad.Tests.Data;

namespace SharpGrad.Tests.Cli;

/// <summary>The CLI defects found by issue 13's trial: each reproduction, kept fixed.</summary>
public class CliTrialTests
{
    /// <summary>A folder of <paramref name="perClass"/> 28×28 grey PNGs in classes "left" and "right" (bright on that side).</summary>
    internal static string TinyFolder(string root, int perClass)
    {
        var gen = new Generator(3);
        foreach (string label in new[] { "left", "right" })
        {
            string dir = Path.Combine(root, "images", label);
            Directory.CreateDirectory(dir);
            float[] noise = Tensor.Rand([perClass, 28, 28], gen).ToArray<float>();
            for (int i = 0; i < perClass; i++)
            {
                var pixels = new byte[28 * 28];
                for (int p = 0; p < pixels.Length; p++)
                    pixels[p] = (byte)(noise[i * 784 + p] * 80 + ((p % 28 < 14) == (label == "left") ? 160 : 0));
                File.WriteAllBytes(Path.Combine(dir, $"{i}.png"), PngEncoder.Encode(new Image(28, 28, 1, pixels)));
            }
        }
        return Path.Combine(root, "images");
    }

    [Fact]
    public void A_resnet_trained_on_a_set_smaller_than_a_batch_exports_and_predicts()
    {
        using var dir = new TempDir();
        string images = TinyFolder(dir, 20), model = Path.Combine(dir, "r.sgl");
        var (code, output, err) = CliProcess.Run("train", images, "--arch", "resnet18", "--one-cycle", "--epochs", "1", "--lr", "0.01", "--out", model);
        Assert.True(code == 0, output + err);
        Assert.DoesNotContain("None", output); // the one partial batch trained: train_loss has a value
        Assert.Contains("exported to", output);
        string image = Directory.GetFiles(Path.Combine(images, "left")).Order().First();
        (code, output, err) = CliProcess.Run("predict", model, image);
        Assert.True(code == 0, err);
        Assert.Matches(@": (left|right) \(", output);
    }

    [Fact]
    public void Parse_errors_print_the_error_then_a_one_line_hint_and_exit_2()
    {
        var (code, output, err) = CliProcess.Run("train", "--epochs", "x");
        Assert.Equal(2, code);
        string[] lines = err.Trim().Split('\n');
        Assert.Contains("'x'", lines[0]);
        Assert.Equal("Run 'sharpgrad train --help' for usage.", lines[^1].Trim());
        Assert.DoesNotContain("Usage:", output + err);
        (code, _, err) = CliProcess.Run("train", "--epochs", "0");
        Assert.Equal(2, code);
        Assert.EndsWith("Run 'sharpgrad train --help' for usage.", err.Trim());
    }

    [Fact]
    public void A_bad_output_path_is_refused_before_any_training()
    {
        using var dir = new TempDir();
        string missing = Path.Combine(dir, "no-such-folder", "m.sgl");
        var (code, output, err) = CliProcess.Run("train", "mnist-sample", "--out", missing);
        Assert.NotEqual(0, code);
        Assert.Contains(missing, err);
        Assert.DoesNotContain("epoch", output);
        (code, output, err) = CliProcess.Run("train", "mnist-sample", "--out", dir);
        Assert.NotEqual(0, code);
        Assert.Contains("is a folder", err);
        if (OperatingSystem.IsLinux())
        {
            (code, output, err) = CliProcess.Run("train", "mnist-sample", "--out", "/dev/full");
            Assert.NotEqual(0, code);
            Assert.Contains("character device", err);
            Assert.DoesNotContain("epoch", output);
            Assert.False(new FileInfo("/dev/full").Length > 0); // still the device, not a file we wrote
        }
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void A_data_folder_that_is_a_file_and_a_folder_given_as_a_file_are_named_without_a_stack_trace()
    {
        using var dir = new TempDir();
        string file = Path.Combine(dir, "plain.txt");
        File.WriteAllText(file, "x");
        var (code, _, err) = CliProcess.Run("datasets", "get", "mnist", "--data", file);
        Assert.Equal(1, code);
        Assert.Contains($"'{file}' is a file, not a folder", err);
        Assert.DoesNotContain("   at ", err);
        (code, _, err) = CliProcess.Run("train", "mnist", "--data", file);
        Assert.Equal(1, code);
        Assert.Contains("is a file, not a folder", err);
        Assert.DoesNotContain("   at ", err);
        (code, _, err) = CliProcess.Run("predict", dir, file);
        Assert.Equal(2, code);
        Assert.Contains($"'{dir.Path}' is a folder, not a file", err);
    }

    [Fact]
    public void The_usage_line_names_the_sharpgrad_command()
    {
        var (code, output, _) = CliProcess.Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("Usage:\n  sharpgrad [command] [options]", output.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("SharpGrad.Cli", output);
    }
}
