package dev.inventoryledger.examples;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.kafka.internal.EventCodec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of a replay file to an event. A line is one JSON object: the article's fields, as the Kafka feed
 * reads them, plus a {@code topic} field naming the topic the event came from (one of the five default
 * topic names). The topic picks the kind; the Kafka module's {@link EventCodec} reads the rest, so a line
 * is refused for exactly the reasons a Kafka record would be.
 *
 * <p>Not thread-safe (one per replay).
 */
final class EventLines {
    /** Longer lines are refused; an event is a few hundred bytes. */
    static final int MAX_LINE_BYTES = 1 << 20;

    private static final JsonFactory JSON = new JsonFactory();
    /** Topic → kind; for {@code reservations}, the codec reads {@code status} to tell held from released. */
    private static final Map<String, EventKind> KIND_OF_TOPIC = new LinkedHashMap<>();

    static {
        for (EventKind kind : EventKind.values()) {
            KIND_OF_TOPIC.putIfAbsent(kind.defaultTopic(), kind);
        }
    }

    private final EventCodec codec = new EventCodec(MAX_LINE_BYTES);

    /**
     * The event on one line.
     *
     * @throws EventCodec.Refused if the line is not one JSON object, names no known topic, or is not a valid
     *                            event of its topic; the message says why
     */
    InventoryEvent decode(String line) throws EventCodec.Refused {
        byte[] json = line.getBytes(StandardCharsets.UTF_8);
        String topic = topicOf(json);
        EventKind kind = KIND_OF_TOPIC.get(topic);
        if (kind == null) {
            throw new EventCodec.Refused("topic must be one of " + String.join(", ", KIND_OF_TOPIC.keySet())
                    + " but was '" + topic + "'");
        }
        return codec.decode(kind, json);
    }

    /** The top-level {@code topic} field; also refuses anything that is not exactly one JSON object. */
    private static String topicOf(byte[] json) throws EventCodec.Refused {
        String topic = null;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new EventCodec.Refused("not a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                JsonToken value = p.nextToken();
                if (!p.currentName().equals("topic")) {
                    p.skipChildren();
                } else if (value == JsonToken.VALUE_STRING) {
                    topic = p.getText();
                } else {
                    throw new EventCodec.Refused("topic must be a string but was " + (value.isScalarValue()
                            ? p.getText() : value == JsonToken.START_OBJECT ? "an object" : "an array"));
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new EventCodec.Refused("not a single JSON object");
            }
        } catch (JsonProcessingException e) {
            throw new EventCodec.Refused("not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // parsing a byte array does no I/O
        }
        if (topic == null) {
            throw new EventCodec.Refused("topic is missing");
        }
        return topic;
    }
}
