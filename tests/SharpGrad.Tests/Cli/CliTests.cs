using SharpGrad.Data;

namespace SharpGrad.Tests.Cli;

/// <summary>The sharpgrad commands end to end on mnist-sample: train and export, predict, evaluate, baseline, and argument errors.</summary>
[Collection("Real datasets")]
public class CliTests
{
    [Fact]
    public void Train_exports_a_model_that_predict_and_evaluate_use()
    {
        using var dir = new Data.TempDir();
        string model = Path.Combine(dir, "digits.sgl");
        var (code, output, err) = CliProcess.Run("train", "mnist-sample", "--epochs", "3", "--out", model);
        Assert.True(code == 0, err);
        Assert.Matches(@"epoch\s+train_loss\s+valid_loss\s+batch_accuracy\s+time", output);
        Assert.Contains("exported to", output);
        double accuracy = double.Parse(System.Text.RegularExpressions.Regex.Match(output, @"batch_accuracy (\d\.\d+) after 3 epochs").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(accuracy > 0.95, output);

        string sample = Datasets.Get(Datasets.MnistSample);
        string seven = Directory.GetFiles(Path.Combine(sample, "valid", "7")).Order().First();
        string three = Directory.GetFiles(Path.Combine(sample, "valid", "3")).Order().First();
        (code, output, err) = CliProcess.Run("predict", model, seven, three);
        Assert.True(code == 0, err);
        Assert.Contains($"{seven}: 7 (", output);
        Assert.Contains($"{three}: 3 (", output);

        (code, output, err) = CliProcess.Run("evaluate", model, "mnist-sample");
        Assert.True(code == 0, err);
        Assert.Matches(@"accuracy 0\.9\d{3} \(\d,\d{3} of 2,038 validation images\)", output);
    }

    [Fact]
    public void Baseline_prints_the_books_pixel_similarity()
    {
        var (code, output, err) = CliProcess.Run("baseline", "mnist-sample");
        Assert.True(code == 0, err);
        Assert.Contains("3: 0.9168", output);
        Assert.Contains("7: 0.9854", output);
        Assert.Contains("mean: 0.9511", output);
    }

    [Theory]
    [InlineData("--lr", "-1", "--lr must be a positive number")]
    [InlineData("--epochs", "0", "--epochs must be at least 1")]
    [InlineData("--bs", "0", "--bs must be at least 1")]
    [InlineData("--channels", "2", "--channels must be 1 or 3")]
    public void Bad_arguments_give_a_message_and_exit_code_2(string option, string value, string message)
    {
        var (code, _, err) = CliProcess.Run("train", option, value);
        Assert.Equal(2, code);
        Assert.Contains(message, err);
    }

    [Fact]
    public void Missing_files_and_unknown_datasets_are_named()
    {
        var (code, _, err) = CliProcess.Run("predict", "/nonexistent/model.sgl", "x.png");
        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/model.sgl", err);
        (code, _, err) = CliProcess.Run("train", "no-such-dataset");
        Assert.Equal(2, code);
        Assert.Contains("Unknown dataset 'no-such-dataset'", err);
    }

    [Fact]
    public void A_file_that_is_not_an_exported_learner_is_refused_clearly()
    {
        using var dir = new Data.TempDir();
        string bogus = Path.Combine(dir, "bogus.sgl");
        File.WriteAllText(bogus, "not a model");
        var (code, _, err) = CliProcess.Run("predict", bogus, bogus);
        Assert.Equal(1, code);
        Assert.Contains(bogus, err);
    }
}
