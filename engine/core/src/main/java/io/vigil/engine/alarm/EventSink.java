package io.vigil.engine.alarm;

/** Where events go: a terminal, a JSON-lines file, later webhooks and Kafka. Must keep the order it is given. */
public interface EventSink extends AutoCloseable {
    void accept(Event event);

    @Override
    default void close() {
    }
}
