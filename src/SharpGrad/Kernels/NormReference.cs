namespace SharpGrad.Kernels;

/// <summary>The plain loops that <see cref="Norm"/> is tested against (double arithmetic throughout).</summary>
internal static class NormReference
{
    // y (N,C,L), mean, invstd (C) as Norm.BatchNormForward, with the running statistics updated the same way
    public static void BatchNormForward(Span<float> y, Span<float> mean, Span<float> invstd, ReadOnlySpan<float> x,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> runningMean, Span<float> runningVar,
        int n, int c, int l, bool training, float momentum, float eps)
    {
        int count = n * l;
        for (int ch = 0; ch < c; ch++)
        {
            double mu, variance;
            if (training)
            {
                double sum = 0;
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < l; j++) sum += x[(i * c + ch) * l + j];
                mu = sum / count;
                double squares = 0;
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < l; j++)
                    {
                        double d = x[(i * c + ch) * l + j] - mu;
                        squares += d * d;
                    }
                variance = squares / count;
                if (!runningMean.IsEmpty)
                {
                    runningMean[ch] = (float)(momentum * mu + (1 - momentum) * (double)runningMean[ch]);
                    runningVar[ch] = (float)(momentum * squares / (count - 1) + (1 - momentum) * (double)runningVar[ch]);
                }
            }
            else
            {
                mu = runningMean[ch];
                variance = runningVar[ch];
            }
            double istd = 1 / Math.Sqrt(variance + eps);
            mean[ch] = (float)mu;
            invstd[ch] = (float)istd;
            double g = gamma.IsEmpty ? 1 : gamma[ch], b = beta.IsEmpty ? 0 : beta[ch];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < l; j++)
                {
                    int k = (i * c + ch) * l + j;
                    y[k] = (float)((x[k] - mu) * istd * g + b);
                }
        }
    }

    // dx (N,C,L), dgamma, dbeta (C) as Norm.BatchNormBackward, term by term
    public static void BatchNormBackward(Span<float> dx, Span<float> dgamma, Span<float> dbeta, ReadOnlySpan<float> dy, ReadOnlySpan<float> x,
        ReadOnlySpan<float> mean, ReadOnlySpan<float> invstd, ReadOnlySpan<float> gamma, int n, int c, int l, bool training)
    {
        int count = n * l;
        for (int ch = 0; ch < c; ch++)
        {
            double mu = mean[ch], istd = invstd[ch], g = gamma.IsEmpty ? 1 : gamma[ch];
            double sumDy = 0, sumDyXhat = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < l; j++)
                {
                    int k = (i * c + ch) * l + j;
                    sumDy += dy[k];
                    sumDyXhat += dy[k] * (x[k] - mu) * istd;
                }
            if (!dgamma.IsEmpty) dgamma[ch] = (float)sumDyXhat;
            if (!dbeta.IsEmpty) dbeta[ch] = (float)sumDy;
            if (dx.IsEmpty) continue;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < l; j++)
                {
                    int k = (i * c + ch) * l + j;
                    double xhat = (x[k] - mu) * istd;
                    dx[k] = (float)(training ? g * istd * (dy[k] - sumDy / count - xhat * sumDyXhat / count) : g * istd * dy[k]);
                }
        }
    }
}
