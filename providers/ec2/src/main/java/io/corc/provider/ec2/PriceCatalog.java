package io.corc.provider.ec2;

import io.corc.api.CorcException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * On-demand Linux prices per hour in USD, by region and instance type, from a CSV file ({@code
 * region,instance_type,usd_per_hour}; {@code #} starts a comment). corc ships {@code prices.csv} in this package;
 * {@code providers.ec2.price_catalog} names a file that replaces it. docs/ec2.md says how to regenerate it from the
 * AWS Price List API. Prices only rank types of equal size and are shown in plans; they are not a bill.
 */
final class PriceCatalog {
    static final String RESOURCE = "prices.csv";

    private final Map<String, Double> prices;
    private final String source;

    private PriceCatalog(Map<String, Double> prices, String source) {
        this.prices = prices;
        this.source = source;
    }

    static PriceCatalog load(Path override) {
        if (override != null) {
            try (Reader reader = Files.newBufferedReader(override, StandardCharsets.UTF_8)) {
                return new PriceCatalog(parse(reader, override.toString()), override.toString());
            } catch (IOException e) {
                throw CorcException.invalidInput(
                                "cannot read the EC2 price catalog " + override + ": " + e.getMessage())
                        .withHint("fix providers.ec2.price_catalog or remove it to use the catalog shipped with corc")
                        .withContext(Ec2OrchestratorFactory.NAME, null);
            }
        }
        try (InputStream in = PriceCatalog.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return new PriceCatalog(Map.of(), "none");
            }
            return new PriceCatalog(
                    parse(new InputStreamReader(in, StandardCharsets.UTF_8), RESOURCE), "corc's " + RESOURCE);
        } catch (IOException e) {
            throw CorcException.internal("cannot read the shipped EC2 price catalog", e);
        }
    }

    Optional<Double> hourly(String region, String instanceType) {
        return Optional.ofNullable(prices.get(region + "/" + instanceType));
    }

    String source() {
        return source;
    }

    private static Map<String, Double> parse(Reader reader, String name) throws IOException {
        Map<String, Double> prices = new HashMap<>();
        BufferedReader lines = new BufferedReader(reader);
        String line;
        int number = 0;
        while ((line = lines.readLine()) != null) {
            number++;
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#") || text.startsWith("region,")) {
                continue;
            }
            String[] parts = text.split(",");
            try {
                if (parts.length != 3) {
                    throw new NumberFormatException("3 fields expected");
                }
                prices.put(parts[0].strip() + "/" + parts[1].strip(), Double.parseDouble(parts[2].strip()));
            } catch (NumberFormatException e) {
                throw CorcException.invalidInput(name + " line " + number
                                + ": expected region,instance_type,usd_per_hour, got '" + text + "'")
                        .withContext(Ec2OrchestratorFactory.NAME, null);
            }
        }
        return Map.copyOf(prices);
    }
}
