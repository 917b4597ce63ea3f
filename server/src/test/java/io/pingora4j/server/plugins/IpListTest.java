package io.pingora4j.server.plugins;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class IpListTest {

    @Test
    void exactAddressesMatchOnlyThemselves() {
        IpList l = IpList.parse(List.of("127.0.0.1", "::1"));
        assertTrue(l.contains("127.0.0.1"));
        assertTrue(l.contains("0:0:0:0:0:0:0:1"));
        assertFalse(l.contains("127.0.0.2"));
    }

    @Test
    void cidrBlocksMatchTheirPrefix() {
        IpList l = IpList.parse(List.of("10.0.0.0/8", "192.168.1.128/25", "2001:db8::/32"));
        assertTrue(l.contains("10.255.1.2"));
        assertTrue(l.contains("192.168.1.200"));
        assertFalse(l.contains("192.168.1.100"));
        assertTrue(l.contains("2001:db8:1::5"));
        assertFalse(l.contains("2001:db9::1"));
    }

    @Test
    void anIpv4MappedClientMatchesIpv4Entries() {
        assertTrue(IpList.parse(List.of("10.0.0.0/8")).contains("::ffff:10.1.2.3"));
    }

    @Test
    void hostNamesAndBadPrefixesAreRefusedNotResolved() {
        assertThrows(IllegalArgumentException.class, () -> IpList.parse(List.of("localhost")));
        assertThrows(IllegalArgumentException.class, () -> IpList.parse(List.of("10.0.0.0/33")));
        assertThrows(IllegalArgumentException.class, () -> IpList.parse(List.of("10.0.0.256")));
        assertThrows(IllegalArgumentException.class, () -> IpList.parse(List.of("10.0.0.0/x")));
    }
}
