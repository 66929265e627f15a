package dev.kvfallback.engine;

import dev.kvfallback.testing.Conformance.Case;

import java.util.List;

import static dev.kvfallback.testing.Conformance.c;
import static dev.kvfallback.testing.Conformance.of;

/** Conformance cases for the engine's key commands: every command, its options and its errors. */
final class KeyCases {

    private KeyCases() {
    }

    static List<Case> cases() {
        return List.of(
        );
    }
}
