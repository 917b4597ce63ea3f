package io.pingora4j.lb;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/** Small backend sets for selector tests. */
final class Fixtures {

    private Fixtures() {
    }

    /** Backends 10.0.0.1:80, 10.0.0.2:80, ... with the given weights. */
    static List<Backend> backends(int... weights) {
        List<Backend> list = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            list.add(Backend.of("10.0.0." + (i + 1) + ":80", weights[i]));
        }
        return list;
    }

    static BackendSet set(int... weights) {
        return new BackendSet(backends(weights));
    }

    static BackendSet set(HealthPolicy policy, LongSupplier clock, int... weights) {
        return new BackendSet(backends(weights), policy, null, clock);
    }

    /** A request view with only a header, for hash tests. */
    static RequestKeyView header(String name, String value) {
        return new RequestKeyView() {
            @Override
            public CharSequence header(String n) {
                return n.equalsIgnoreCase(name) ? value : null;
            }
        };
    }

    static RequestKeyView path(String value) {
        return new RequestKeyView() {
            @Override
            public CharSequence path() {
                return value;
            }
        };
    }

    static RequestKeyView address(byte[] raw) {
        return new RequestKeyView() {
            @Override
            public byte[] clientAddress() {
                return raw;
            }
        };
    }
}
