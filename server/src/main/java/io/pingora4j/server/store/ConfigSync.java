package io.pingora4j.server.store;

import java.io.IOException;
import java.util.Map;
import java.util.Set;

/**
 * {@code pingora4j -c FILE --sync etcd://...}: writes a configuration (already validated by the
 * caller) into etcd, one item per key, and removes the keys under the prefix it no longer has, so
 * the store then holds exactly that configuration. Blocking; run from {@code main}.
 */
public final class ConfigSync {

    private ConfigSync() {
    }

    /** @return the number of keys written */
    public static int copy(String toml, EtcdUrl to) throws IOException {
        Map<String, String> items = ConfigItems.split(toml);
        EtcdClient client = new EtcdClient(to);
        Set<String> wanted = new java.util.HashSet<>();
        for (Map.Entry<String, String> e : items.entrySet()) {
            String key = to.prefix() + "/" + e.getKey();
            wanted.add(key);
            client.put(key, e.getValue());
        }
        for (EtcdClient.KeyValue kv : client.range().kvs()) {
            if (!wanted.contains(kv.key())) {
                client.delete(kv.key());
            }
        }
        return items.size();
    }
}
