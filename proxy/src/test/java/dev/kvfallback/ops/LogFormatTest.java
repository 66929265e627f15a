package dev.kvfallback.ops;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.status.Status;
import dev.kvfallback.Main;
import dev.kvfallback.testing.JsonText;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shipped logback.xml writes the format Main chose through the kvfallback.log.format property. */
class LogFormatTest {

    @Test
    void jsonWritesOneObjectPerLineWithLevelAndMessage() throws Exception {
        String out = logWith("json");
        List<String> lines = out.lines().toList();
        assertEquals(2, lines.size(), out);
        Map<?, ?> info = (Map<?, ?>) JsonText.parse(lines.get(0));
        assertEquals("INFO", info.get("level"));
        assertEquals("[Database] MongoDB is back after 3 s, \"quoted\"\nsecond line", info.get("formattedMessage"));
        assertEquals("dev.kvfallback.tee.Example", info.get("loggerName"));
        assertTrue(info.get("timestamp") instanceof Double, out);
        Map<?, ?> warn = (Map<?, ?>) JsonText.parse(lines.get(1));
        assertEquals("WARN", warn.get("level"));
        assertEquals("java.lang.IllegalStateException", ((Map<?, ?>) warn.get("throwable")).get("className"));
    }

    @Test
    void textIsTheDefault() throws Exception {
        for (String format : new String[] {null, "text"}) {
            String first = logWith(format).lines().findFirst().orElseThrow();
            assertTrue(first.matches("\\d{4}-\\d\\d-\\d\\dT\\S+ INFO  Example - \\[Database] MongoDB is back.*"), first);
        }
    }

    @Test
    void theOperatorsCopyIsTheBuiltInOne() throws Exception {
        assertEquals(Files.readString(Path.of("src/main/resources/logback.xml")),
                Files.readString(Path.of("../config/logback.xml")),
                "config/logback.xml must stay a copy of proxy/src/main/resources/logback.xml");
    }

    @Test
    void noSecretReachesALogLineInEitherFormat() throws Exception {
        dev.kvfallback.logging.RedactingEncoder.use(new dev.kvfallback.config.Secrets(List.of("hunter22")));
        try {
            for (String format : new String[] {"text", "json"}) {
                String out = logWith(format, logger -> logger.warn("connecting with hunter22 to redis://u:pw1234@h:1",
                        new IllegalStateException("refused: hunter22")));
                assertTrue(!out.contains("hunter22") && !out.contains("pw1234"), out);
                assertTrue(out.contains("connecting with *** to redis:") && out.contains("u:***@h:1"), out);
            }
        } finally {
            dev.kvfallback.logging.RedactingEncoder.use(dev.kvfallback.config.Secrets.none());
        }
    }

    /** Configures a fresh context from the resource with the property set (or cleared), logs two events. */
    private static String logWith(String format) throws Exception {
        return logWith(format, logger -> {
            logger.info("[Database] MongoDB is back after {} s, \"quoted\"\nsecond line", 3);
            logger.warn("[Database] lost", new IllegalStateException("connection refused"));
        });
    }

    private static String logWith(String format, java.util.function.Consumer<Logger> events) throws Exception {
        String before = System.getProperty(Main.LOG_FORMAT_PROPERTY);
        setProperty(format);
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter()); // what SLF4J's binding does for the real one
        try {
            URL config = LogFormatTest.class.getResource("/logback.xml");
            assertNotNull(config);
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(config);
            Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
            OutputStreamAppender<ILoggingEvent> stdout = (OutputStreamAppender<ILoggingEvent>) root.getAppender("STDOUT");
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            stdout.setOutputStream(captured);
            Logger logger = context.getLogger("dev.kvfallback.tee.Example");
            events.accept(logger);
            List<Status> problems = context.getStatusManager().getCopyOfStatusList().stream()
                    .filter(s -> s.getLevel() > Status.INFO).toList();
            assertEquals(List.of(), problems, "logback warned or failed");
            return captured.toString(StandardCharsets.UTF_8);
        } finally {
            context.stop();
            setProperty(before);
        }
    }

    private static void setProperty(String value) {
        if (value == null) {
            System.clearProperty(Main.LOG_FORMAT_PROPERTY);
        } else {
            System.setProperty(Main.LOG_FORMAT_PROPERTY, value);
        }
    }
}
