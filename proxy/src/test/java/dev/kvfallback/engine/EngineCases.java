package dev.kvfallback.engine;

import dev.kvfallback.testing.Conformance.Case;

import java.util.List;

/** Every engine family's conformance cases, for the tables that run them outside this package. */
public final class EngineCases {

    private EngineCases() {
    }

    public static List<List<Case>> all() {
        return List.of(StringCases.cases(), KeyCases.cases(), HashCases.cases(), ListCases.cases(),
                SetCases.cases(), ZSetCases.cases());
    }
}
