package dev.kvfallback.mongo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MongoStoreTest {

    @Test
    void urisAreRedacted() {
        assertEquals("mongodb+srv://app:***@cluster0.example.net/kv?retryWrites=true",
                MongoStore.redact("mongodb+srv://app:p%40ss@cluster0.example.net/kv?retryWrites=true"));
        assertEquals("mongodb://u:***@h1:27017,h2:27018/db", MongoStore.redact("mongodb://u:pw@h1:27017,h2:27018/db"));
        assertEquals("mongodb://u@h/?authMechanism=MONGODB-AWS&authMechanismProperties=***",
                MongoStore.redact("mongodb://u@h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:tok"));
        assertEquals("mongodb://localhost:27017", MongoStore.redact("mongodb://localhost:27017"));
    }
}
