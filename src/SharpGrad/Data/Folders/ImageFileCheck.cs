using SharpGrad.Data.Images;
using SharpGrad.Reporting;

namespace SharpGrad.Data;

/// <summary>
/// Decodes image files on all cores with progress: the eager loader keeps the images, the lazy one only checks them
/// before training starts, so a file that cannot be read is named now (or left out with one warning under
/// <c>skipBad</c>) instead of stopping an epoch later.
/// </summary>
internal static class ImageFileCheck
{
    /// <summary>
    /// Decodes each of <paramref name="files"/> upright (grey when <paramref name="channels"/> is 1) and hands it to
    /// <paramref name="use"/> with its index; returns the indices that decoded. Throws the first failure unless
    /// <paramref name="skipBad"/>, which logs one line with the count instead.
    /// </summary>
    public static int[] DecodeAll(IReadOnlyList<string> files, int channels, string verb, IProgressReporter progress, bool skipBad, int chunk,
                                  Action<int, Image> use)
    {
        var failures = new string?[files.Count];
        using (IProgressTask task = progress.Start($"{verb} {files.Count:N0} images", files.Count))
        {
            try
            {
                Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, files.Count, chunk), range =>
                {
                    for (int i = range.Item1; i < range.Item2; i++)
                    {
                        try
                        {
                            Image image = ImageDecoder.DecodeUpright(File.ReadAllBytes(files[i]), files[i]);
                            use(i, channels == 1 && image.Channels == 3 ? image.ToGray() : image);
                        }
                        catch (IOException e) when (skipBad)
                        {
                            failures[i] = e.Message;
                        }
                    }
                    task.Advance(range.Item2 - range.Item1);
                });
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }
            task.Complete();
        }
        int bad = failures.Count(f => f is not null);
        if (bad > 0) progress.Log($"Skipped {bad:N0} of {files.Count:N0} files that are not readable images (first: {failures.First(f => f is not null)}).");
        return Enumerable.Range(0, files.Count).Where(i => failures[i] is null).ToArray();
    }

    /// <summary>The indices of <paramref name="files"/> that decode and take <paramref name="transform"/>; throws on the first bad one unless <paramref name="skipBad"/>.</summary>
    public static int[] Readable(IReadOnlyList<string> files, int channels, ItemTransform transform, IProgressReporter progress, bool skipBad) =>
        DecodeAll(files, channels, "checking", progress, skipBad, 16, (i, image) =>
        {
            try
            {
                transform.Apply(image, training: false, new Generator(0));
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"{files[i]}: {transform} cannot be applied to this {image.Width}x{image.Height} image: {e.Message}", e);
            }
        });
}
