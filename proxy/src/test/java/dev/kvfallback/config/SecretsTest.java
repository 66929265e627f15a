package dev.kvfallback.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SecretsTest {

    @Test
    void everyConfiguredSecretIsMaskedWhereverItAppears() throws Exception {
        ProxyConfig config = ConfigLoader.load(List.of("--redis-url", "rediss://default:upstash%2Ftoken@x.upstash.io:6379",
                "--mongodb-uri", "mongodb+srv://app:m0ngo-pw@cluster0.example.net/kv", "--requirepass", "client-pw",
                "--admin-key", "admin-key-1"), Map.of());
        Secrets secrets = Secrets.of(config);
        assertEquals("auth failed for *** (*** / ***), key ***",
                secrets.redact("auth failed for upstash/token (m0ngo-pw / client-pw), key admin-key-1"),
                "decoded and raw forms alike");
        assertEquals("{\"error\":\"***\"}", secrets.redact("{\"error\":\"upstash%2Ftoken\"}"));
    }

    @Test
    void aPasswordInAnyUriIsMaskedEvenOneNeverConfigured() {
        Secrets none = Secrets.none();
        assertEquals("cannot reach redis://:***@10.0.0.1:6379 or mongodb://u:***@h1,h2/db",
                none.redact("cannot reach redis://:pw@10.0.0.1:6379 or mongodb://u:p%40ss@h1,h2/db"));
        assertEquals("user@example.com wrote to redis://h:1", none.redact("user@example.com wrote to redis://h:1"));
        assertEquals(null, none.redact(null));
    }

    @Test
    void inJsonOnlyTextIsSearchedNeverNumbersOrSyntax() {
        Secrets secrets = new Secrets(List.of("123456"));
        Object tree = secrets.redactStrings(Map.of("now", 1764070123456L,
                "errors", List.of("wrong password 123456", Map.of("cause", "123456"))));
        assertEquals(Map.of("now", 1764070123456L, "errors", List.of("wrong password ***", Map.of("cause", "***"))), tree);
    }

    @Test
    void shortValuesAreNotMaskedEverywhere() {
        Secrets secrets = new Secrets(java.util.Arrays.asList("abcde", null, "a\"quoted\\secret"));
        assertEquals("about abcde", secrets.redact("about abcde"));
        assertEquals("json: \"***\"", secrets.redact("json: \"a\\\"quoted\\\\secret\""), "its JSON-escaped form too");
    }
}
