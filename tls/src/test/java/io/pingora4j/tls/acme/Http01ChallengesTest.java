package io.pingora4j.tls.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class Http01ChallengesTest {

    private static final String TOKEN = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";
    private static final String KEY_AUTH = TOKEN + ".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";

    private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    private final Http01Challenges challenges = new Http01Challenges(clock);

    @Test
    void answersTheRequestPathWithTheKeyAuthorization() {
        challenges.put(TOKEN, KEY_AUTH);
        assertEquals(Optional.of(KEY_AUTH), challenges.lookup("/.well-known/acme-challenge/" + TOKEN));
    }

    @Test
    void answersABareToken() {
        challenges.put(TOKEN, KEY_AUTH);
        assertEquals(Optional.of(KEY_AUTH), challenges.lookup(TOKEN));
    }

    @Test
    void ignoresAQueryString() {
        challenges.put(TOKEN, KEY_AUTH);
        assertEquals(Optional.of(KEY_AUTH), challenges.lookup(Http01Challenges.PATH_PREFIX + TOKEN + "?x=1"));
    }

    @Test
    void unknownTokenHasNoAnswer() {
        challenges.put(TOKEN, KEY_AUTH);
        assertEquals(Optional.empty(), challenges.lookup(Http01Challenges.PATH_PREFIX + "someOtherToken"));
    }

    @Test
    void removedTokenHasNoAnswer() {
        challenges.put(TOKEN, KEY_AUTH);
        challenges.remove(TOKEN);
        assertEquals(Optional.empty(), challenges.lookup(TOKEN));
    }

    @Test
    void expiredTokenHasNoAnswerAndIsDropped() {
        challenges.put(TOKEN, KEY_AUTH, Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(1));
        assertEquals(Optional.empty(), challenges.lookup(TOKEN));
        assertEquals(0, challenges.size());
    }

    @Test
    void tokenAnswersUntilItExpires() {
        challenges.put(TOKEN, KEY_AUTH, Duration.ofMinutes(1));
        clock.advance(Duration.ofSeconds(59));
        assertEquals(Optional.of(KEY_AUTH), challenges.lookup(TOKEN));
    }

    @Test
    void publishingDropsOtherExpiredEntries() {
        challenges.put("old", KEY_AUTH, Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(2));
        challenges.put(TOKEN, KEY_AUTH);
        assertEquals(1, challenges.size());
    }

    @Test
    void pathsThatAreNotTokensHaveNoAnswer() {
        challenges.put(TOKEN, KEY_AUTH);
        assertTrue(challenges.lookup(Http01Challenges.PATH_PREFIX + "../" + TOKEN).isEmpty());
        assertTrue(challenges.lookup(Http01Challenges.PATH_PREFIX + TOKEN + "/x").isEmpty());
        assertTrue(challenges.lookup("/index.html").isEmpty());
        assertTrue(challenges.lookup(Http01Challenges.PATH_PREFIX).isEmpty());
    }

    @Test
    void rejectsPublishingATokenOutsideBase64Url() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> challenges.put("a/b", KEY_AUTH));
        assertTrue(e.getMessage().contains("a/b"), e.getMessage());
    }
}
