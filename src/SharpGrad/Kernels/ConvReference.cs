namespace SharpGrad.Kernels;

/// <summary>The plain nested loops that <see cref="Conv"/> is tested against (double accumulation, one output at a time).</summary>
internal static class ConvReference
{
    // output (N,OC,OH,OW) = conv(input (N,C,H,W), weight (OC,C/g,KH,KW)) + bias (OC or empty)
    public static void Forward(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, in Conv2dGeometry s)
    {
        int oh = s.OH, ow = s.OW;
        for (int n = 0; n < s.N; n++)
            for (int oc = 0; oc < s.OC; oc++)
            {
                int g = oc / s.OCg;
                for (int y = 0; y < oh; y++)
                    for (int x = 0; x < ow; x++)
                    {
                        double sum = bias.IsEmpty ? 0 : bias[oc];
                        for (int ci = 0; ci < s.Cg; ci++)
                            for (int kh = 0; kh < s.KH; kh++)
                                for (int kw = 0; kw < s.KW; kw++)
                                {
                                    int ih = y * s.StrideH - s.PadH + kh * s.DilH, iw = x * s.StrideW - s.PadW + kw * s.DilW;
                                    if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
                                    int c = g * s.Cg + ci;
                                    sum += (double)input[((n * s.C + c) * s.H + ih) * s.W + iw] * weight[((oc * s.Cg + ci) * s.KH + kh) * s.KW + kw];
                                }
                        output[((n * s.OC + oc) * oh + y) * ow + x] = (float)sum;
                    }
            }
    }

    // dinput (N,C,H,W) += sum over the outputs each input pixel fed of dout · weight
    public static void BackwardInput(Span<float> dinput, ReadOnlySpan<float> dout, ReadOnlySpan<float> weight, in Conv2dGeometry s)
    {
        var acc = new double[s.N * s.InputImage];
        for (int n = 0; n < s.N; n++)
            for (int oc = 0; oc < s.OC; oc++)
            {
                int g = oc / s.OCg;
                for (int y = 0; y < s.OH; y++)
                    for (int x = 0; x < s.OW; x++)
                    {
                        double d = dout[((n * s.OC + oc) * s.OH + y) * s.OW + x];
                        for (int ci = 0; ci < s.Cg; ci++)
                            for (int kh = 0; kh < s.KH; kh++)
                                for (int kw = 0; kw < s.KW; kw++)
                                {
                                    int ih = y * s.StrideH - s.PadH + kh * s.DilH, iw = x * s.StrideW - s.PadW + kw * s.DilW;
                                    if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
                                    int c = g * s.Cg + ci;
                                    acc[((n * s.C + c) * s.H + ih) * s.W + iw] += d * weight[((oc * s.Cg + ci) * s.KH + kh) * s.KW + kw];
                                }
                    }
            }
        for (int i = 0; i < acc.Length; i++) dinput[i] += (float)acc[i];
    }

    // dweight (OC,C/g,KH,KW) += sum over n, oh, ow of dout · the input pixel each weight met
    public static void BackwardWeight(Span<float> dweight, ReadOnlySpan<float> dout, ReadOnlySpan<float> input, in Conv2dGeometry s)
    {
        for (int oc = 0; oc < s.OC; oc++)
        {
            int g = oc / s.OCg;
            for (int ci = 0; ci < s.Cg; ci++)
                for (int kh = 0; kh < s.KH; kh++)
                    for (int kw = 0; kw < s.KW; kw++)
                    {
                        double sum = 0;
                        int c = g * s.Cg + ci;
                        for (int n = 0; n < s.N; n++)
                            for (int y = 0; y < s.OH; y++)
                                for (int x = 0; x < s.OW; x++)
                                {
                                    int ih = y * s.StrideH - s.PadH + kh * s.DilH, iw = x * s.StrideW - s.PadW + kw * s.DilW;
                                    if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
                                    sum += (double)dout[((n * s.OC + oc) * s.OH + y) * s.OW + x] * input[((n * s.C + c) * s.H + ih) * s.W + iw];
                                }
                        dweight[((oc * s.Cg + ci) * s.KH + kh) * s.KW + kw] += (float)sum;
                    }
        }
    }

    // dbias (OC) += sum over n, oh, ow of dout
    public static void BackwardBias(Span<float> dbias, ReadOnlySpan<float> dout, in Conv2dGeometry s)
    {
        int ohw = s.OH * s.OW;
        for (int oc = 0; oc < s.OC; oc++)
        {
            double sum = 0;
            for (int n = 0; n < s.N; n++)
                for (int p = 0; p < ohw; p++) sum += dout[(n * s.OC + oc) * ohw + p];
            dbias[oc] += (float)sum;
        }
    }
}
