package io.pingora4j.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A scrape of a Prometheus text exposition, read as a test reads it: every sample by its name and
 * labels as written ({@code name{a="x",b="y"}}, without simpleclient's trailing comma).
 */
record Exposition(String text, Map<String, Double> samples) {

    static Exposition scrape(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("scrape answered " + r.statusCode() + ": " + r.body());
        }
        return parse(r.body());
    }

    static Exposition parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String key = line.substring(0, space).replace(",}", "}");
            samples.put(key, Double.parseDouble(line.substring(space + 1)));
        }
        return new Exposition(text, samples);
    }

    /** The value of a sample, or null when it is not there. */
    Double value(String key) {
        return samples.get(key);
    }

    /** The value, or 0 when the sample is absent. */
    double valueOr0(String key) {
        Double v = samples.get(key);
        return v == null ? 0 : v;
    }
}
