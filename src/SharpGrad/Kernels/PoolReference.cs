namespace SharpGrad.Kernels;

/// <summary>The plain loops that <see cref="Pool"/> is tested against: every window tap visited, padding tested per tap.</summary>
internal static class PoolReference
{
    // output, indices (P,OH,OW) = max and argmax (h·W + w) of input (P,H,W) over each padded window
    public static void MaxForward(Span<float> output, Span<int> indices, ReadOnlySpan<float> input, in Pool2dGeometry s)
    {
        int oh = s.OH, ow = s.OW;
        for (int p = 0; p < s.Planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    float max = float.NegativeInfinity;
                    int best = -1;
                    for (int kh = 0; kh < s.KH; kh++)
                        for (int kw = 0; kw < s.KW; kw++)
                        {
                            int y = i * s.StrideH - s.PadH + kh, x = j * s.StrideW - s.PadW + kw;
                            if (y < 0 || y >= s.H || x < 0 || x >= s.W) continue;
                            float v = input[(p * s.H + y) * s.W + x];
                            if (best < 0 || v > max || float.IsNaN(v)) { max = v; best = y * s.W + x; }
                        }
                    output[(p * oh + i) * ow + j] = max;
                    indices[(p * oh + i) * ow + j] = best;
                }
    }

    // output (P,OH,OW) = sum over each window / (window area within the padded input, or within the input)
    public static void AvgForward(Span<float> output, ReadOnlySpan<float> input, in Pool2dGeometry s, bool countIncludePad = true)
    {
        int oh = s.OH, ow = s.OW;
        for (int p = 0; p < s.Planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    double sum = 0;
                    int inside = 0, padded = 0;
                    for (int kh = 0; kh < s.KH; kh++)
                        for (int kw = 0; kw < s.KW; kw++)
                        {
                            int y = i * s.StrideH - s.PadH + kh, x = j * s.StrideW - s.PadW + kw;
                            if (y < s.H + s.PadH && x < s.W + s.PadW) padded++;
                            if (y < 0 || y >= s.H || x < 0 || x >= s.W) continue;
                            sum += input[(p * s.H + y) * s.W + x];
                            inside++;
                        }
                    output[(p * oh + i) * ow + j] = (float)(sum / (countIncludePad ? padded : inside));
                }
    }

    // output, indices (P,OH,OW) = max and argmax over [floor(i·H/OH), ceil((i+1)·H/OH)) × [floor(j·W/OW), ceil((j+1)·W/OW))
    public static void AdaptiveMaxForward(Span<float> output, Span<int> indices, ReadOnlySpan<float> input, int planes, int h, int w, int oh, int ow)
    {
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    float max = float.NegativeInfinity;
                    int best = -1;
                    for (int y = (int)Math.Floor((double)i * h / oh); y < (int)Math.Ceiling((double)(i + 1) * h / oh); y++)
                        for (int x = (int)Math.Floor((double)j * w / ow); x < (int)Math.Ceiling((double)(j + 1) * w / ow); x++)
                        {
                            float v = input[(p * h + y) * w + x];
                            if (best < 0 || v > max || float.IsNaN(v)) { max = v; best = y * w + x; }
                        }
                    output[(p * oh + i) * ow + j] = max;
                    indices[(p * oh + i) * ow + j] = best;
                }
    }

    // output (P,OH,OW) = mean over the adaptive windows
    public static void AdaptiveAvgForward(Span<float> output, ReadOnlySpan<float> input, int planes, int h, int w, int oh, int ow)
    {
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    double sum = 0;
                    int count = 0;
                    for (int y = (int)Math.Floor((double)i * h / oh); y < (int)Math.Ceiling((double)(i + 1) * h / oh); y++)
                        for (int x = (int)Math.Floor((double)j * w / ow); x < (int)Math.Ceiling((double)(j + 1) * w / ow); x++)
                        {
                            sum += input[(p * h + y) * w + x];
                            count++;
                        }
                    output[(p * oh + i) * ow + j] = (float)(sum / count);
                }
    }

    // dinput (P,H,W) += each dout (P,OH,OW) / divisor over its window: the backward of AvgForward, tap by tap
    public static void AvgBackward(Span<float> dinput, ReadOnlySpan<float> dout, in Pool2dGeometry s, bool countIncludePad = true)
    {
        int oh = s.OH, ow = s.OW;
        for (int p = 0; p < s.Planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    int inside = 0, padded = 0;
                    for (int kh = 0; kh < s.KH; kh++)
                        for (int kw = 0; kw < s.KW; kw++)
                        {
                            int y = i * s.StrideH - s.PadH + kh, x = j * s.StrideW - s.PadW + kw;
                            if (y < s.H + s.PadH && x < s.W + s.PadW) padded++;
                            if (y >= 0 && y < s.H && x >= 0 && x < s.W) inside++;
                        }
                    float share = dout[(p * oh + i) * ow + j] / (countIncludePad ? padded : inside);
                    for (int kh = 0; kh < s.KH; kh++)
                        for (int kw = 0; kw < s.KW; kw++)
                        {
                            int y = i * s.StrideH - s.PadH + kh, x = j * s.StrideW - s.PadW + kw;
                            if (y >= 0 && y < s.H && x >= 0 && x < s.W) dinput[(p * s.H + y) * s.W + x] += share;
                        }
                }
    }

    // dinput (P,H,W) += each dout (P,OH,OW) / window size over its adaptive window
    public static void AdaptiveAvgBackward(Span<float> dinput, ReadOnlySpan<float> dout, int planes, int h, int w, int oh, int ow)
    {
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    int y0 = (int)Math.Floor((double)i * h / oh), y1 = (int)Math.Ceiling((double)(i + 1) * h / oh);
                    int x0 = (int)Math.Floor((double)j * w / ow), x1 = (int)Math.Ceiling((double)(j + 1) * w / ow);
                    float share = dout[(p * oh + i) * ow + j] / ((y1 - y0) * (x1 - x0));
                    for (int y = y0; y < y1; y++)
                        for (int x = x0; x < x1; x++) dinput[(p * h + y) * w + x] += share;
                }
    }
}
