namespace SharpGrad.Data.Images;

/// <summary>
/// Decodes JPEG (JFIF/EXIF) images: baseline and extended sequential Huffman (SOF0/SOF1) and
/// progressive Huffman (SOF2), 8-bit precision, grayscale, three-component YCbCr/RGB or four-component CMYK/YCCK
/// (converted to RGB as PIL's <c>convert('RGB')</c> does), any integral
/// sampling factors, restart intervals. Output matches PIL/libjpeg-turbo's default decoding
/// (accurate integer IDCT, fancy upsampling). EXIF orientation is not applied.
/// </summary>
public static partial class JpegDecoder
{
    /// <summary>Decodes a complete JPEG file.</summary>
    /// <param name="data">The file contents.</param>
    /// <param name="source">File path or other name used in error messages; <c>null</c> reads as <c>&lt;memory&gt;</c>.</param>
    /// <returns>A 1-channel image for grayscale JPEGs, otherwise a 3-channel RGB image.</returns>
    /// <exception cref="ImageDecodeException">
    /// The data is malformed or truncated, or uses an unsupported variant (arithmetic coding, lossless,
    /// hierarchical, 12-bit precision, DNL-defined height).
    /// </exception>
    public static Image Decode(ReadOnlySpan<byte> data, string? source = null)
    {
        var parser = new Parser();
        try
        {
            return parser.Run(data);
        }
        catch (DecodeFailure e)
        {
            throw new ImageDecodeException(source, e.Message);
        }
        finally
        {
            parser.ReleaseBuffers();
        }
    }

    /// <summary>Per-call decoding state (tables, frame), so concurrent decodes never share anything mutable.</summary>
    private sealed partial class Parser
    {
        // Real progressive files use about 10 scans; the cap bounds the work a hostile file can cause,
        // since each scan may walk every block of a large image while costing only a few bytes.
        private const int MaxScans = 500;

        private readonly ushort[]?[] _quant = new ushort[]?[4];
        private readonly JpegHuffmanTable?[] _dcTables = new JpegHuffmanTable?[4];
        private readonly JpegHuffmanTable?[] _acTables = new JpegHuffmanTable?[4];
        private JpegFrame? _frame;
        private int _restartInterval;
        private bool _sawJfif;
        private int _adobeTransform = -1;
        private int _scanCount;

        public void ReleaseBuffers() => _frame?.ReleaseBuffers();

        public Image Run(ReadOnlySpan<byte> data)
        {
            if (data.Length < 2 || data[0] != 0xFF || data[1] != 0xD8)
            {
                throw new DecodeFailure("not a JPEG file (missing SOI marker)");
            }

            int pos = 2;
            while (true)
            {
                int m = JpegScanDecoder.FindMarker(data, pos);
                if (m < 0)
                {
                    return EndOfData();
                }

                int code = data[m + 1];
                int at = m;
                pos = m + 2;
                switch (code)
                {
                    case 0xD9: // EOI
                        return Finish();
                    case 0xC0:
                    case 0xC1:
                    case 0xC2:
                        ReadFrame(Segment(data, ref pos, "SOF"), progressive: code == 0xC2);
                        break;
                    case 0xC4:
                        ReadHuffmanTables(Segment(data, ref pos, "DHT"));
                        break;
                    case 0xDB:
                        ReadQuantTables(Segment(data, ref pos, "DQT"));
                        break;
                    case 0xDD:
                        ReadRestartInterval(Segment(data, ref pos, "DRI"));
                        break;
                    case 0xDA:
                    {
                        if (_scanCount >= MaxScans)
                        {
                            throw new DecodeFailure($"JPEG has more than {MaxScans} scans");
                        }

                        JpegScan scan = ReadScanHeader(Segment(data, ref pos, "SOS"));
                        _frame!.Prepare(scan, data.Length - pos);
                        pos = JpegScanDecoder.Decode(data, pos, _frame, scan);
                        _scanCount++;
                        if (!_frame.Progressive || scan.Ss == 0)
                        {
                            foreach (JpegComponent c in scan.Components)
                            {
                                c.HasData = true;
                            }
                        }

                        break;
                    }

                    case 0xE0:
                        ReadApp0(Segment(data, ref pos, "APP0"));
                        break;
                    case 0xEE:
                        ReadApp14(Segment(data, ref pos, "APP14"));
                        break;
                    case >= 0xE1 and <= 0xEF:
                    case 0xFE: // COM
                    case 0xCC: // DAC (only meaningful for arithmetic coding, rejected at SOF)
                        Segment(data, ref pos, code == 0xFE ? "COM" : code == 0xCC ? "DAC" : $"APP{code - 0xE0}");
                        break;
                    case >= 0xD0 and <= 0xD7:
                    case 0x01: // TEM
                        break; // stand-alone markers without a length
                    case 0xD8:
                        throw new DecodeFailure($"JPEG has an unexpected second SOI marker at offset {at}");
                    case 0xC3:
                        throw new DecodeFailure("JPEG lossless mode (SOF3) is not supported");
                    case 0xC5:
                    case 0xC6:
                    case 0xC7:
                    case 0xDE:
                    case 0xDF:
                        throw new DecodeFailure($"JPEG hierarchical (differential) mode (marker 0xFF{code:X2}) is not supported");
                    case 0xC9:
                        throw new DecodeFailure("JPEG arithmetic coding (SOF9, extended sequential) is not supported");
                    case 0xCA:
                        throw new DecodeFailure("JPEG arithmetic coding (SOF10, progressive) is not supported");
                    case 0xCB:
                        throw new DecodeFailure("JPEG arithmetic coding (SOF11, lossless) is not supported");
                    case 0xCD:
                    case 0xCE:
                    case 0xCF:
                        throw new DecodeFailure($"JPEG hierarchical arithmetic coding (SOF{code - 0xC0}) is not supported");
                    case 0xC8:
                        throw new DecodeFailure("JPEG extension frame (JPG marker 0xFFC8) is not supported");
                    case 0xF7:
                        throw new DecodeFailure("JPEG-LS (SOF55) is not supported");
                    case 0xDC:
                        throw new DecodeFailure("JPEG DNL marker (image height defined after the first scan) is not supported");
                    default:
                        throw new DecodeFailure($"JPEG unknown marker 0xFF{code:X2} at offset {at}");
                }
            }
        }

        private Image EndOfData()
        {
            // Sequential files whose scans are complete decode without EOI (as libjpeg does);
            // a progressive file that stops early is reported as truncated.
            if (_frame is not null && !_frame.Progressive && _scanCount > 0 && Array.TrueForAll(_frame.Components, c => c.HasData))
            {
                return Finish();
            }

            throw new DecodeFailure("JPEG data is truncated (ends before the EOI marker)");
        }

        private Image Finish()
        {
            JpegFrame frame = _frame ?? throw new DecodeFailure("JPEG has no frame header (SOF) before EOI");
            if (_scanCount == 0)
            {
                throw new DecodeFailure("JPEG has no scans (SOS) before EOI");
            }

            foreach (JpegComponent c in frame.Components)
            {
                if (!c.HasData)
                {
                    throw new DecodeFailure($"JPEG component {c.Id} has no scan data");
                }
            }

            if (frame.Progressive)
            {
                frame.FinishProgressive();
            }

            if (frame.Components.Length == 4)
            {
                // libjpeg reads YCCK when an Adobe marker says transform 2, else CMYK; PIL takes the samples as inverted
                // ("CMYK;I") when there is an Adobe marker, as Adobe applications write them.
                return JpegColor.CmykToImage(frame, ycck: _adobeTransform == 2, inverted: _adobeTransform >= 0);
            }

            return JpegColor.ToImage(frame, frame.Components.Length == 3 && IsRgb(frame));
        }

        // libjpeg's colour-space guess: JFIF means YCbCr; otherwise an Adobe marker decides
        // (transform 0 = RGB); otherwise component ids 'R','G','B' mean RGB; anything else YCbCr.
        private bool IsRgb(JpegFrame frame)
        {
            if (_sawJfif)
            {
                return false;
            }

            if (_adobeTransform >= 0)
            {
                return _adobeTransform == 0;
            }

            JpegComponent[] c = frame.Components;
            return c[0].Id == 'R' && c[1].Id == 'G' && c[2].Id == 'B';
        }
    }
}
