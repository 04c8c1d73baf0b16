package io.corc.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Object;

/** corc's reader of ListObjectsV2 answers takes keys, sizes, ETags, times, prefixes and tokens as the SDK does. */
class ListingXmlTest {
    @Test
    void readsObjectsPrefixesAndTheContinuationTokenOfAnUrlEncodedPage() {
        String xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
                  <Name>b</Name><Prefix>job%2F</Prefix><KeyCount>3</KeyCount><MaxKeys>1000</MaxKeys>
                  <Delimiter>%2F</Delimiter><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
                  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=&amp;x</NextContinuationToken>
                  <Contents><Key>job%2Fdir+with+space%2F%C3%85ngstr%C3%B6m%2B%C3%BC%7E%E6%BC%A2.txt</Key>
                    <LastModified>2026-11-22T09:30:00.000Z</LastModified>
                    <ETag>&quot;9e107d9d372bb6826bd81d3542a419d6&quot;</ETag><Size>10240</Size>
                    <StorageClass>STANDARD</StorageClass></Contents>
                  <Contents><Key>job%2F.corc-manifest</Key><LastModified>2026-11-22T09:31:00Z</LastModified>
                    <ETag>"d41d8cd98f00b204e9800998ecf8427e-2"</ETag><Size>0</Size></Contents>
                  <CommonPrefixes><Prefix>job%2Fd0%2F</Prefix></CommonPrefixes>
                  <CommonPrefixes><Prefix>job%2Fd1%2F</Prefix></CommonPrefixes>
                </ListBucketResult>
                """;

        DirectRequests.ListPage page = ListingXml.parse(xml);

        assertThat(page.objects())
                .extracting(S3Object::key)
                .containsExactly("job/dir with space/Ångström+ü~漢.txt", "job/.corc-manifest");
        S3Object first = page.objects().get(0);
        assertThat(first.size()).isEqualTo(10240);
        assertThat(first.eTag()).isEqualTo("\"9e107d9d372bb6826bd81d3542a419d6\"");
        assertThat(first.lastModified()).isEqualTo(Instant.parse("2026-11-22T09:30:00Z"));
        assertThat(page.objects().get(1).eTag()).isEqualTo("\"d41d8cd98f00b204e9800998ecf8427e-2\"");
        assertThat(page.commonPrefixes()).containsExactly("job/d0/", "job/d1/");
        assertThat(page.nextToken()).isEqualTo("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=&x");
    }

    @Test
    void aLastPageHasNoTokenAndKeysWithoutUrlEncodingAreTakenAsTheyAre() {
        String xml = "<ListBucketResult><IsTruncated>false</IsTruncated>"
                + "<Contents><Key>a&amp;b &lt;c&gt; &#233;&#x4E2D;</Key><Size>3</Size><ETag>&quot;e&quot;</ETag>"
                + "</Contents></ListBucketResult>";

        DirectRequests.ListPage page = ListingXml.parse(xml);

        assertThat(page.objects()).extracting(S3Object::key).containsExactly("a&b <c> é中");
        assertThat(page.objects().get(0).lastModified()).isNull();
        assertThat(page.commonPrefixes()).isEmpty();
        assertThat(page.nextToken()).isNull();
    }

    @Test
    void anAnswerThatIsNotAListingOrIsCutOffIsAnError() {
        assertThatThrownBy(() -> ListingXml.parse("<Error><Code>InternalError</Code></Error>"))
                .isInstanceOf(SdkClientException.class)
                .hasMessageContaining("not a ListBucketResult");
        assertThatThrownBy(() -> ListingXml.parse("<ListBucketResult><Contents><Key>a</Key><Size>1</Size>"))
                .isInstanceOf(SdkClientException.class)
                .hasMessageContaining("cut off");
        assertThatThrownBy(() ->
                        ListingXml.parse("<ListBucketResult><IsTruncated>true</IsTruncated>" + "</ListBucketResult>"))
                .isInstanceOf(SdkClientException.class)
                .hasMessageContaining("no NextContinuationToken");
    }
}
