/*
 * Design: logback builds its encoders from logback.xml by reflection, before the configuration is
 * read, so the secrets reach this encoder through one static hand-off (Main calls use() as soon as
 * the configuration is loaded). Until then it masks URI passwords only. Redacting the encoded bytes,
 * not the message, covers everything a line can carry: the message, its arguments, a stack trace,
 * in the text format and the JSON one alike.
 */
package dev.kvfallback.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import dev.kvfallback.config.Secrets;

import java.nio.charset.StandardCharsets;

/** A logback encoder that wraps another and masks every secret in what it writes (see {@link Secrets}). */
public final class RedactingEncoder extends EncoderBase<ILoggingEvent> {

    private static volatile Secrets secrets = Secrets.none();

    private Encoder<ILoggingEvent> encoder;

    /** The secrets every log line is cleaned of, from now on. */
    public static void use(Secrets configured) {
        secrets = configured;
    }

    /** The encoder whose output is redacted (logback.xml's nested {@code <encoder>}). */
    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    @Override
    public void start() {
        if (encoder == null) {
            addError("RedactingEncoder needs a nested <encoder>");
            return;
        }
        encoder.start();
        super.start();
    }

    @Override
    public void stop() {
        if (encoder != null) {
            encoder.stop();
        }
        super.stop();
    }

    @Override
    public byte[] headerBytes() {
        return encoder.headerBytes();
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        byte[] line = encoder.encode(event);
        String text = new String(line, StandardCharsets.UTF_8);
        String clean = secrets.redact(text);
        return clean == text ? line : clean.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] footerBytes() {
        return encoder.footerBytes();
    }
}
