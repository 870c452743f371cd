package io.vigil.server.fleet;

import io.vigil.engine.alarm.Event;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes this node's events to the events topic (keyed by stream: one partition per stream, so a consumer sees each
 * alarm's firing before its resolved) and keeps the alarms topic in step (a firing alarm's record, a tombstone when
 * it resolves), both in one Kafka transaction: a node that dies leaves either both or neither, so the node that takes
 * its streams over knows every alarm it left firing. One thread drains a bounded queue; a batch that fails is retried
 * (a new producer when this one is fenced or broken) until it goes, so an event is lost only when the queue overflows
 * (counted, and logged).
 */
final class EventPublisher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventPublisher.class.getName());
    private static final int QUEUE_CAPACITY = 100_000;
    private static final int BATCH = 500;
    /** A node killed mid-transaction blocks readers of its partitions until the broker aborts it: keep that short. */
    private static final int TRANSACTION_TIMEOUT_MS = 10_000;

    private final Properties config;
    private final FleetTopics topics;
    private final String nodeId;
    private final String role;
    private final BlockingQueue<Event> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread thread;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    /** Events taken into the queue so far, and those of them sent or given up: {@link #flush} waits for the two. */
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong dequeued = new AtomicLong();
    private volatile boolean stopping;
    private volatile boolean healthy;
    private KafkaProducer<String, byte[]> producer;

    EventPublisher(Properties common, FleetTopics topics, String nodeId, String role) {
        this.topics = topics;
        this.nodeId = nodeId;
        this.role = role;
        this.config = new Properties();
        config.putAll(common);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "vigil-events-" + nodeId);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, topics.events() + "." + role + "." + nodeId);
        config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Integer.toString(TRANSACTION_TIMEOUT_MS));
        config.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        this.thread = Thread.ofPlatform().name("vigil-fleet-events").daemon().unstarted(this::run);
    }

    /** Opens the producer (fencing an earlier run of this node) and starts sending; throws when Kafka refuses. */
    void start() {
        producer = open();
        healthy = true;
        thread.start();
    }

    private KafkaProducer<String, byte[]> open() {
        KafkaProducer<String, byte[]> p = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        try {
            p.initTransactions();
            return p;
        } catch (KafkaException e) {
            p.close(Duration.ZERO);
            throw new FleetException("Kafka refused this node's event producer: " + e.getMessage(), e);
        }
    }

    /** Queues one of this node's events; never blocks (a full queue drops it, counted in {@link #lost}). */
    void accept(Event event) {
        if (queue.offer(event)) {
            queued.incrementAndGet();
        } else {
            if (lost.incrementAndGet() % 1000 == 1) {
                LOG.severe("the events queue to Kafka is full (" + QUEUE_CAPACITY + "): events are being lost");
            }
        }
    }

    /**
     * Waits until every event queued before this call is in Kafka (or counted lost), at most {@code timeout}:
     * before a stream moves, so the node that takes it over reads the alarms this one left firing. Returns whether
     * they all went.
     */
    boolean flush(Duration timeout) {
        long target = queued.get();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (dequeued.get() < target) {
            if (System.nanoTime() > deadline || !thread.isAlive()) {
                return false;
            }
            sleep(10);
        }
        return true;
    }

    long sent() {
        return sent.get();
    }

    long lost() {
        return lost.get();
    }

    /** Whether the last batch went (false while Kafka refuses it). */
    boolean healthy() {
        return healthy;
    }

    private void run() {
        List<Event> batch = new ArrayList<>();
        long backoffMs = 100;
        while (true) {
            if (batch.isEmpty()) {
                try {
                    Event first = queue.poll(200, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        if (stopping) {
                            return;
                        }
                        continue;
                    }
                    batch.add(first);
                    queue.drainTo(batch, BATCH - 1);
                } catch (InterruptedException e) {
                    return;
                }
            }
            try {
                send(batch);
                sent.addAndGet(batch.size());
                dequeued.addAndGet(batch.size());
                batch.clear();
                healthy = true;
                backoffMs = 100;
            } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
                healthy = false;
                LOG.severe("the event producer cannot go on (" + e.getMessage() + "); opening a new one");
                reopen(backoffMs);
                backoffMs = Math.min(5000, backoffMs * 2);
            } catch (KafkaException | IllegalStateException e) {
                healthy = false;
                LOG.warning("sending " + batch.size() + " events to Kafka failed (" + e.getMessage() + "); retrying");
                try {
                    producer.abortTransaction();
                } catch (KafkaException | IllegalStateException abortFailed) {
                    reopen(backoffMs);
                }
                sleep(backoffMs);
                backoffMs = Math.min(5000, backoffMs * 2);
            }
            if (stopping && !healthy) {
                lost.addAndGet(batch.size() + queue.size());
                dequeued.addAndGet(batch.size() + queue.size());
                LOG.severe("stopping with " + (batch.size() + queue.size()) + " events not sent to Kafka");
                return;
            }
        }
    }

    private void send(List<Event> batch) {
        producer.beginTransaction();
        for (Event e : batch) {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(topics.events(), e.stream(),
                    FleetCodec.event(e));
            record.headers().add(FleetView.NODE_HEADER, nodeId.getBytes(StandardCharsets.UTF_8));
            record.headers().add(FleetView.ROLE_HEADER, role.getBytes(StandardCharsets.UTF_8));
            producer.send(record);
            if (e instanceof Event.Alarm a) {
                producer.send(new ProducerRecord<>(topics.alarms(), role + "/" + a.dedupKey(),
                        a.firing() ? FleetCodec.event(a) : null));
            }
        }
        producer.commitTransaction();
    }

    private void reopen(long backoffMs) {
        try {
            producer.close(Duration.ZERO);
        } catch (RuntimeException ignored) {
            // it is broken already
        }
        while (!stopping) {
            sleep(backoffMs);
            try {
                producer = open();
                return;
            } catch (FleetException e) {
                LOG.warning(e.getMessage());
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends what is queued (bounded: 15 s), then closes the producer. */
    @Override
    public void close() {
        stopping = true;
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
            LOG.severe("stopping with " + queue.size() + " events not sent to Kafka");
        }
        if (producer != null) {
            try {
                producer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warning("closing the event producer: " + e.getMessage());
            }
        }
    }
}
