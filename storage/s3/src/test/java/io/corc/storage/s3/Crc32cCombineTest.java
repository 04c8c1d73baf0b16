package io.corc.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The CRC32C of a download's ranges, combined, is the CRC32C of the whole file, for any split. */
class Crc32cCombineTest {
    @Test
    void twoRunsCombineToTheCrcOfBoth() {
        Random random = new Random(42);
        for (int trial = 0; trial < 200; trial++) {
            byte[] data = new byte[random.nextInt(5000)];
            random.nextBytes(data);
            int split = data.length == 0 ? 0 : random.nextInt(data.length + 1);

            long combined =
                    Etags.crc32cCombine(crc(data, 0, split), crc(data, split, data.length), data.length - split);

            assertThat(combined).as("split %d of %d", split, data.length).isEqualTo(crc(data, 0, data.length));
        }
    }

    @Test
    void rangesOfAPartSizeCombineToTheWholeObjectsCrcLikeADownloadsRanges() {
        byte[] data = new byte[1_000_003];
        new Random(7).nextBytes(data);
        int partSize = 65_536;
        List<byte[]> ranges = new ArrayList<>();
        for (int offset = 0; offset < data.length; offset += partSize) {
            int end = Math.min(data.length, offset + partSize);
            ranges.add(
                    ByteBuffer.allocate(4).putInt((int) crc(data, offset, end)).array());
        }

        byte[] whole = S3Objects.combineCrc32c(ranges, partSize, data.length);

        assertThat(ByteBuffer.wrap(whole).getInt() & 0xffffffffL).isEqualTo(crc(data, 0, data.length));
    }

    private static long crc(byte[] data, int from, int to) {
        CRC32C crc = new CRC32C();
        crc.update(data, from, to - from);
        return crc.getValue();
    }
}
