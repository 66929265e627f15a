package dev.kvfallback.admin;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/** What the admin endpoint reports and does: the composition root implements it over the running parts. */
public interface Admin {
    /** The health JSON's fields in order: nested Map<String,?>, List, String, Number, Boolean or null. */
    Map<String, Object> health();

    /** Starts a backfill of Redis's keys into MongoDB (or reports the one running): the JSON to answer. */
    CompletionStage<Map<String, Object>> backfill();

    /** Compares every key in Redis with MongoDB's copy; with repair, re-copies the ones that differ. */
    CompletionStage<Map<String, Object>> verify(boolean repair, int sample);

    /** Forces fallback ({@code fallback}) or returns to automatic mode ({@code auto}): the JSON to answer. */
    CompletionStage<Map<String, Object>> mode(String mode);

    /** Every metric in Prometheus's text format. */
    String metrics();
}
