package dev.kvfallback.protocol.testing;

import io.netty.util.ResourceLeakDetector;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Netty leak detector that remembers every leak it reports, so {@link LeakCheckExtension} can fail
 * the tests instead of leaving a log line nobody reads. Netty instantiates it for each resource
 * type when the test JVM runs with
 * {@code -Dio.netty.customResourceLeakDetector=dev.kvfallback.protocol.testing.LeakRecorder}
 * (the parent pom's {@code test.jvm.args}); it still logs each leak as the default detector does.
 *
 * @param <T> the tracked resource type
 */
public class LeakRecorder<T> extends ResourceLeakDetector<T> {

    /** One reported leak: the resource type and, when tracing was on, where it was touched. */
    public record Leak(String resourceType, String records) {
    }

    private static final List<Leak> LEAKS = new CopyOnWriteArrayList<>();
    private static volatile boolean installed;

    /** The constructor {@code DefaultResourceLeakDetectorFactory} looks up by reflection. */
    public LeakRecorder(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
        installed = true;
    }

    /**
     * The deprecated signature Netty's factory also looks up, first; without it every test JVM
     * starts with a SEVERE NoSuchMethodException in the log. {@code maxActive} is ignored, as in Netty.
     */
    public LeakRecorder(Class<?> resourceType, int samplingInterval, long maxActive) {
        this(resourceType, samplingInterval);
    }

    /** Whether Netty created at least one LeakRecorder, i.e. the system property took effect. */
    public static boolean installed() {
        return installed;
    }

    /** The leaks reported so far and not yet cleared. */
    public static List<Leak> leaks() {
        return List.copyOf(LEAKS);
    }

    /** Forgets the recorded leaks. */
    public static void clear() {
        LEAKS.clear();
    }

    @Override
    protected boolean needReport() {
        return true; // record even when the logger would drop ERROR lines
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        LEAKS.add(new Leak(resourceType, records));
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        LEAKS.add(new Leak(resourceType, ""));
        super.reportUntracedLeak(resourceType);
    }
}
