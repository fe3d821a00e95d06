using System.Buffers.Binary;

namespace SharpGrad.Data.Images;

/// <content>Readers for the JPEG marker segments (SOF, DHT, DQT, DRI, APP0/APP14, SOS).</content>
public static partial class JpegDecoder
{
    /// <content>Segment parsing; each reader validates lengths and values before using them.</content>
    private sealed partial class Parser
    {
        private static ReadOnlySpan<byte> Segment(ReadOnlySpan<byte> data, ref int pos, string name)
        {
            if (pos + 2 > data.Length)
            {
                throw new DecodeFailure($"JPEG data is truncated in the {name} segment header at offset {pos}");
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(data[pos..]);
            if (length < 2)
            {
                throw new DecodeFailure($"JPEG {name} segment at offset {pos - 2} has invalid length {length}");
            }

            if (pos + length > data.Length)
            {
                throw new DecodeFailure($"JPEG data is truncated inside the {name} segment at offset {pos - 2} ({length} bytes declared, {data.Length - pos} present)");
            }

            ReadOnlySpan<byte> payload = data.Slice(pos + 2, length - 2);
            pos += length;
            return payload;
        }

        private void ReadFrame(ReadOnlySpan<byte> p, bool progressive)
        {
            if (_frame is not null)
            {
                throw new DecodeFailure("JPEG has more than one frame header (SOF)");
            }

            if (p.Length < 6)
            {
                throw new DecodeFailure($"JPEG SOF segment is too short ({p.Length + 2} bytes)");
            }

            int precision = p[0];
            int height = BinaryPrimitives.ReadUInt16BigEndian(p[1..]);
            int width = BinaryPrimitives.ReadUInt16BigEndian(p[3..]);
            int count = p[5];
            if (p.Length != 6 + (3 * count))
            {
                throw new DecodeFailure($"JPEG SOF segment length {p.Length + 2} does not match its {count} components");
            }

            if (precision != 8)
            {
                throw new DecodeFailure($"JPEG {precision}-bit sample precision is not supported (only 8-bit)");
            }

            if (count != 1 && count != 3 && count != 4)
            {
                throw new DecodeFailure($"JPEG with {count} components is not supported (only 1, 3, or 4 for CMYK/YCCK)");
            }

            if (width == 0)
            {
                throw new DecodeFailure("JPEG image width is 0");
            }

            if (height == 0)
            {
                throw new DecodeFailure("JPEG image height is 0 (height defined by a DNL marker is not supported)");
            }

            if ((long)width * height * count > DecodeLimits.MaxSamples)
            {
                throw new DecodeFailure($"JPEG dimensions {width}x{height}x{count} exceed the decoder limit of {DecodeLimits.MaxSamples} samples");
            }

            var comps = new JpegComponent[count];
            for (int i = 0; i < count; i++)
            {
                int id = p[6 + (3 * i)];
                int h = p[7 + (3 * i)] >> 4;
                int v = p[7 + (3 * i)] & 15;
                int tq = p[8 + (3 * i)];
                if (h < 1 || h > 4 || v < 1 || v > 4)
                {
                    throw new DecodeFailure($"JPEG component {id} has invalid sampling factors {h}x{v}");
                }

                if (tq > 3)
                {
                    throw new DecodeFailure($"JPEG component {id} uses quantization table {tq} (only 0-3 exist)");
                }

                for (int j = 0; j < i; j++)
                {
                    if (comps[j].Id == id)
                    {
                        throw new DecodeFailure($"JPEG frame lists component id {id} twice");
                    }
                }

                comps[i] = new JpegComponent(i, id, h, v, tq);
            }

            var frame = new JpegFrame(width, height, progressive, comps);
            foreach (JpegComponent c in comps)
            {
                if (frame.MaxH % c.H != 0 || frame.MaxV % c.V != 0)
                {
                    throw new DecodeFailure(
                        $"JPEG component {c.Id} sampling {c.H}x{c.V} is not an integral fraction of {frame.MaxH}x{frame.MaxV} (fractional upsampling is not supported)");
                }
            }

            _frame = frame;
        }

        private void ReadHuffmanTables(ReadOnlySpan<byte> p)
        {
            int i = 0;
            while (i < p.Length)
            {
                int tc = p[i] >> 4;
                int th = p[i] & 15;
                if (tc > 1 || th > 3)
                {
                    throw new DecodeFailure($"JPEG DHT defines invalid table class {tc} / slot {th}");
                }

                if (i + 17 > p.Length)
                {
                    throw new DecodeFailure("JPEG DHT segment is truncated (code length counts)");
                }

                ReadOnlySpan<byte> counts = p.Slice(i + 1, 16);
                int total = 0;
                foreach (byte n in counts)
                {
                    total += n;
                }

                if (total > 256)
                {
                    throw new DecodeFailure($"JPEG Huffman table {th} declares {total} codes (at most 256 allowed)");
                }

                if (i + 17 + total > p.Length)
                {
                    throw new DecodeFailure($"JPEG DHT segment is truncated (table {th} needs {total} symbols)");
                }

                var table = JpegHuffmanTable.Create(counts, p.Slice(i + 17, total), tc == 0, th);
                if (tc == 0)
                {
                    _dcTables[th] = table;
                }
                else
                {
                    _acTables[th] = table;
                }

                i += 17 + total;
            }
        }

        private void ReadQuantTables(ReadOnlySpan<byte> p)
        {
            ReadOnlySpan<byte> natural = JpegZigZag.NaturalOrder;
            int i = 0;
            while (i < p.Length)
            {
                int pq = p[i] >> 4;
                int tq = p[i] & 15;
                if (pq > 1 || tq > 3)
                {
                    throw new DecodeFailure($"JPEG DQT defines invalid table precision {pq} / slot {tq}");
                }

                int size = pq == 0 ? 64 : 128;
                if (i + 1 + size > p.Length)
                {
                    throw new DecodeFailure($"JPEG DQT segment is truncated (table {tq})");
                }

                var table = new ushort[64];
                ReadOnlySpan<byte> values = p.Slice(i + 1, size);
                for (int k = 0; k < 64; k++)
                {
                    table[natural[k]] = pq == 0 ? values[k] : BinaryPrimitives.ReadUInt16BigEndian(values[(2 * k)..]);
                }

                _quant[tq] = table;
                i += 1 + size;
            }
        }

        private void ReadRestartInterval(ReadOnlySpan<byte> p)
        {
            if (p.Length != 2)
            {
                throw new DecodeFailure($"JPEG DRI segment has invalid length {p.Length + 2}");
            }

            _restartInterval = BinaryPrimitives.ReadUInt16BigEndian(p);
        }

        private void ReadApp0(ReadOnlySpan<byte> p)
        {
            if (p.Length >= 14 && p[..5].SequenceEqual("JFIF\0"u8))
            {
                _sawJfif = true;
            }
        }

        private void ReadApp14(ReadOnlySpan<byte> p)
        {
            if (p.Length >= 12 && p[..5].SequenceEqual("Adobe"u8))
            {
                _adobeTransform = p[11];
            }
        }

        private JpegScan ReadScanHeader(ReadOnlySpan<byte> p)
        {
            JpegFrame frame = _frame ?? throw new DecodeFailure("JPEG scan (SOS) comes before the frame header (SOF)");
            if (p.Length < 1)
            {
                throw new DecodeFailure("JPEG SOS segment is empty");
            }

            int count = p[0];
            if (count < 1 || count > 4 || count > frame.Components.Length)
            {
                throw new DecodeFailure($"JPEG scan has invalid component count {count}");
            }

            if (p.Length != 1 + (2 * count) + 3)
            {
                throw new DecodeFailure($"JPEG SOS segment length {p.Length + 2} does not match its {count} components");
            }

            int ss = p[1 + (2 * count)];
            int se = p[2 + (2 * count)];
            int ah = p[3 + (2 * count)] >> 4;
            int al = p[3 + (2 * count)] & 15;

            var comps = new JpegComponent[count];
            var dcIds = new int[count];
            var acIds = new int[count];
            int blocksPerMcu = 0;
            for (int i = 0; i < count; i++)
            {
                int id = p[1 + (2 * i)];
                JpegComponent? c = Array.Find(frame.Components, x => x.Id == id)
                    ?? throw new DecodeFailure($"JPEG scan references unknown component id {id}");
                if (Array.IndexOf(comps, c) >= 0)
                {
                    throw new DecodeFailure($"JPEG scan lists component id {id} twice");
                }

                comps[i] = c;
                dcIds[i] = p[2 + (2 * i)] >> 4;
                acIds[i] = p[2 + (2 * i)] & 15;
                blocksPerMcu += c.H * c.V;
            }

            if (count > 1 && blocksPerMcu > 10)
            {
                throw new DecodeFailure($"JPEG interleaved scan has {blocksPerMcu} blocks per MCU (at most 10 allowed)");
            }

            bool needDc = true;
            bool needAc = true;
            if (frame.Progressive)
            {
                bool bad = ss == 0 ? se != 0 : (ss > se || se > 63 || count != 1);
                bad |= ah != 0 && al != ah - 1;
                bad |= al > 13;
                if (bad)
                {
                    throw new DecodeFailure($"JPEG progressive scan parameters are invalid (Ss={ss}, Se={se}, Ah={ah}, Al={al}, components={count})");
                }

                needDc = ss == 0 && ah == 0;
                needAc = ss != 0;
            }

            for (int i = 0; i < count; i++)
            {
                JpegComponent c = comps[i];
                c.DcTable = needDc ? Table(_dcTables, dcIds[i], true) : null;
                c.AcTable = needAc ? Table(_acTables, acIds[i], false) : null;
                if (c.Quant is null)
                {
                    c.Quant = _quant[c.QuantId]
                        ?? throw new DecodeFailure($"JPEG quantization table {c.QuantId} is not defined (component {c.Id})");
                }
            }

            return new JpegScan(comps, ss, se, ah, al, _restartInterval);
        }

        private static JpegHuffmanTable Table(JpegHuffmanTable?[] tables, int id, bool isDc)
        {
            if (id > 3)
            {
                throw new DecodeFailure($"JPEG scan selects {(isDc ? "DC" : "AC")} Huffman table {id} (only 0-3 exist)");
            }

            // Like libjpeg-turbo, fall back to the T.81 Annex K tables for slots 0 and 1 (Motion-JPEG).
            tables[id] ??= JpegStandardTables.Get(isDc, id);
            return tables[id] ?? throw new DecodeFailure($"JPEG {(isDc ? "DC" : "AC")} Huffman table {id} is not defined");
        }
    }
}
