using SharpGrad.Kernels;
using SharpGrad.Tests.Tensors;

namespace SharpGrad.Tests.Kernels;

/// <summary>
/// Convs with at most 8 output pixels in a call (one small image's last layers) take the dot-product path, which
/// reads the weight where it lies instead of packing it: against the reference conv with every tap, dead taps, stride
/// and dilation, from either input layout, with and without a bias; its fused norm bitwise the norm after it.
/// </summary>
[Trait("Category", "Kernels")]
public class ConvFewPixelsTests
{
    public static IEnumerable<object[]> Shapes() =>
    [
        // N, C, H, W, OC, KH, KW, stride, pad, dil
        [new[] { 1, 512, 1, 1, 512, 3, 3, 1, 1, 1 }],  // resnet18's layer4 at 28x28: only the centre tap reads the image
        [new[] { 1, 256, 2, 2, 512, 3, 3, 2, 1, 1 }],  // its first conv: 2x2 -> 1x1, 4 of 9 taps
        [new[] { 2, 64, 2, 2, 40, 3, 3, 1, 1, 1 }],    // 8 pixels: two blocks of 4 dot products
        [new[] { 3, 20, 5, 5, 24, 3, 3, 2, 0, 2 }],    // dilation 2, no padding: 3 pixels; 20 channels (a tail of K)
        [new[] { 1, 128, 4, 4, 256, 1, 1, 2, 0, 1 }],  // a downsample: 1x1 stride 2, 4 pixels
    ];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Few_pixel_convs_match_the_reference(int[] d)
    {
        var s = new Conv2dGeometry(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[7], d[8], d[8], d[9], d[9], 1);
        var plan = new ConvPlan(s);
        Assert.Equal(StridedKernel.Available, ConvFewPixels.Supports(plan));
        if (!StridedKernel.Available) return; // the AVX2-off rerun keeps these convs on the images layout
        Assert.True(Conv.SupportsChannelsLast(s));
        ChannelsLastConvCheck.MatchesReference(s, 31, (y, x, inputLast, w, b) => Conv.ForwardChannelsLast(y, x, inputLast, w, b, s));
    }

    [Fact]
    public void Nine_pixels_or_more_take_the_packed_paths()
    {
        Assert.False(ConvFewPixels.Supports(new ConvPlan(new Conv2dGeometry(1, 64, 3, 3, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1))));
        Assert.False(ConvFewPixels.Supports(new ConvPlan(new Conv2dGeometry(64, 512, 1, 1, 512, 3, 3, 1, 1, 1, 1, 1, 1, 1))));
        Assert.False(ConvFewPixels.Supports(new ConvPlan(new Conv2dGeometry(1, 8, 2, 2, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1)))); // 8 channels: not a pixel-rows conv
    }

    [Fact]
    public unsafe void The_fused_batch_norm_gives_the_floats_of_the_norm_after_the_conv()
    {
        var s = new Conv2dGeometry(2, 32, 2, 2, 48, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        var plan = new ConvPlan(s);
        if (!ConvFewPixels.Supports(plan)) return;
        ChannelsLastConvCheck.FusedNormIsTheNormAfter(s, 32, (y, x, w, b, epilogue) => ConvFewPixels.Forward(y, x, false, w, b, plan, epilogue));
    }
}
