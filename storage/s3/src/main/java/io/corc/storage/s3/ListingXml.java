package io.corc.storage.s3;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Reads a ListObjectsV2 answer ({@code ListBucketResult}) requested with {@code encoding-type=url}: the objects'
 * key, size, ETag and time, the common prefixes, and the continuation token. A scan for the few elements corc needs,
 * not a general XML parser: the answer's structure is fixed by the S3 API, and for trees of thousands of files the
 * SDK's generic unmarshalling was a noticeable share of a download's CPU time.
 */
final class ListingXml {
    private ListingXml() {}

    static DirectRequests.ListPage parse(String xml) {
        if (!xml.contains("<ListBucketResult")) {
            throw SdkClientException.create(
                    "the store's listing is not a ListBucketResult: " + xml.substring(0, Math.min(200, xml.length())));
        }
        boolean urlEncoded = "url".equals(element(xml, "EncodingType", 0, xml.length()));
        List<S3Object> objects = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        int at = 0;
        // each search starts again only once passed: a search to the end per element made a page quadratic
        int contents = xml.indexOf("<Contents>");
        int common = xml.indexOf("<CommonPrefixes>");
        while (true) {
            if (contents >= 0 && contents < at) {
                contents = xml.indexOf("<Contents>", at);
            }
            if (common >= 0 && common < at) {
                common = xml.indexOf("<CommonPrefixes>", at);
            }
            if (contents < 0 && common < 0) {
                break;
            }
            if (contents >= 0 && (common < 0 || contents < common)) {
                int end = closing(xml, "</Contents>", contents);
                String key = element(xml, "Key", contents, end);
                String size = element(xml, "Size", contents, end);
                String modified = element(xml, "LastModified", contents, end);
                if (key == null || size == null) {
                    throw SdkClientException.create("an object in the store's listing has no key or size");
                }
                objects.add(S3Object.builder()
                        .key(urlEncoded ? decode(key) : key)
                        .size(Long.parseLong(size.strip()))
                        .eTag(element(xml, "ETag", contents, end))
                        .lastModified(modified == null ? null : Instant.parse(modified.strip()))
                        .build());
                at = end;
            } else {
                int end = closing(xml, "</CommonPrefixes>", common);
                String prefix = element(xml, "Prefix", common, end);
                if (prefix != null) {
                    prefixes.add(urlEncoded ? decode(prefix) : prefix);
                }
                at = end;
            }
        }
        // the token stands outside the Contents elements, which come after it or before it depending on the store
        String truncated = topLevel(xml, "IsTruncated");
        String token = "true".equals(truncated == null ? null : truncated.strip())
                ? topLevel(xml, "NextContinuationToken")
                : null;
        if ("true".equals(truncated == null ? null : truncated.strip()) && token == null) {
            throw SdkClientException.create("the store's listing is truncated but has no NextContinuationToken");
        }
        return new DirectRequests.ListPage(objects, prefixes, token);
    }

    private static int closing(String xml, String tag, int from) {
        int end = xml.indexOf(tag, from);
        if (end < 0) {
            throw SdkClientException.create("the store's listing is cut off (no " + tag + ")");
        }
        return end + tag.length();
    }

    /** The unescaped text of the first {@code <name>} element between {@code from} and {@code to}. */
    private static String element(String xml, String name, int from, int to) {
        String open = "<" + name + ">";
        int start = xml.indexOf(open, from);
        if (start < 0 || start >= to) {
            return null;
        }
        int end = xml.indexOf("</" + name + ">", start);
        if (end < 0 || end > to) {
            return null;
        }
        return unescape(xml.substring(start + open.length(), end));
    }

    /** An element outside every {@code Contents} and {@code CommonPrefixes} element. */
    private static String topLevel(String xml, String name) {
        String open = "<" + name + ">";
        int at = 0;
        while (true) {
            int start = xml.indexOf(open, at);
            if (start < 0) {
                return null;
            }
            if (!inside(xml, start, "Contents") && !inside(xml, start, "CommonPrefixes")) {
                return element(xml, name, start, xml.length());
            }
            at = start + open.length();
        }
    }

    private static boolean inside(String xml, int position, String element) {
        int open = xml.lastIndexOf("<" + element + ">", position);
        int close = xml.lastIndexOf("</" + element + ">", position);
        return open >= 0 && open > close;
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    static String unescape(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            int semicolon = c == '&' ? text.indexOf(';', i) : -1;
            if (semicolon < 0) {
                out.append(c);
                i++;
                continue;
            }
            String entity = text.substring(i + 1, semicolon);
            switch (entity) {
                case "quot" -> out.append('"');
                case "amp" -> out.append('&');
                case "lt" -> out.append('<');
                case "gt" -> out.append('>');
                case "apos" -> out.append('\'');
                default -> {
                    if (entity.startsWith("#x") || entity.startsWith("#X")) {
                        out.appendCodePoint(Integer.parseInt(entity.substring(2), 16));
                    } else if (entity.startsWith("#")) {
                        out.appendCodePoint(Integer.parseInt(entity.substring(1)));
                    } else {
                        throw SdkClientException.create("unknown XML entity &" + entity + "; in the store's listing");
                    }
                }
            }
            i = semicolon + 1;
        }
        return out.toString();
    }
}
