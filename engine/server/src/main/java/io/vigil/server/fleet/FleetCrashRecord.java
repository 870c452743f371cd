package io.vigil.server.fleet;

import io.vigil.server.live.StreamLifecycle;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.logging.Logger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

/**
 * The fleet's crash record: what a single node's {@code running.json} is, kept in the compacted topic
 * {@code <prefix>.crashes} (key {@code <stream>/<role>}) so that it follows a stream from node to node. A poison
 * stream that kills node A moves to B and kills B; whichever node is assigned it next starts it quarantined.
 *
 * <ul>
 *   <li>Before a stream's analysis starts, its node writes {@code running: true} and waits for Kafka's ack, so that a
 *       crash on the first frame counts.</li>
 *   <li>When the analysis stops (removed, moved by a rebalance, a clean shutdown, quarantined by its own failures) the
 *       node writes that it no longer runs, its count back to 0 (a tombstone: nothing left to remember), and waits
 *       for it: a rebalance hands the stream on only after that.</li>
 *   <li>A node about to start a stream reads the record, its view caught up first (so the previous node's last
 *       write is seen): a record that still says {@code running} is a run that never stopped (a kill -9, a crash, a
 *       node cut off from Kafka beyond its session), one more unclean exit in a row. At
 *       {@value #UNCLEAN_EXITS_TO_QUARANTINE} the stream starts quarantined, on whichever node that is, and the
 *       record keeps the count until {@link #forget} (the API's release on the node that holds it).</li>
 * </ul>
 * Counting per role: a stream that crashes the picture decoder of the video nodes leaves the audio nodes alone.
 * Thread-safe: the fleet's housekeeping admits, each stream's thread says when it analyses.
 */
final class FleetCrashRecord implements StreamLifecycle {
    static final int UNCLEAN_EXITS_TO_QUARANTINE = 2;
    private static final Logger LOG = Logger.getLogger(FleetCrashRecord.class.getName());
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(5);

    /**
     * One stream's line for one role.
     *
     * @param node the node that wrote it
     * @param running whether that node was analysing the stream when it wrote it
     * @param uncleanExits the unclean exits in a row the stream was being analysed at, before this run
     */
    record Entry(String stream, String role, String node, boolean running, int uncleanExits, long updatedMillis) {
        static String key(String stream, String role) {
            return stream + "/" + role;
        }
    }

    private final KafkaProducer<String, byte[]> writer;
    private final String topic;
    private final String role;
    private final String nodeId;
    /** The latest record of a stream for this role, as the fleet view has read it; null when there is none. */
    private final Function<String, Entry> latest;
    /** The count of each stream this process has admitted: what it writes, and what it trusts over its own old lines. */
    private final Map<String, Integer> counts = new HashMap<>();
    private final Set<String> analysing = new HashSet<>();

    FleetCrashRecord(KafkaProducer<String, byte[]> writer, String topic, String role, String nodeId,
                     Function<String, Entry> latest) {
        this.writer = writer;
        this.topic = topic;
        this.role = role;
        this.nodeId = nodeId;
        this.latest = latest;
    }

    /**
     * Judges a stream about to start on this node from its record (read the view up to now first): null to run it,
     * else why it starts quarantined.
     */
    String admit(String id) {
        Future<RecordMetadata> sent = null;
        String reason = null;
        synchronized (this) {
            Entry last = latest.apply(id);
            Integer known = counts.get(id);
            int unclean;
            if (last == null) {
                unclean = known == null ? 0 : known;
            } else if (last.node().equals(nodeId) && known != null) {
                unclean = known;   // this process's own line: its run here stopped cleanly, whatever the view says
            } else {
                unclean = last.uncleanExits() + (last.running() ? 1 : 0);
                if (last.running()) {
                    LOG.warning("stream " + id + " (role " + role + "): its run on node " + last.node()
                            + " ended without stopping (an unclean exit, " + unclean + " in a row)");
                }
            }
            counts.put(id, unclean);
            if (unclean >= UNCLEAN_EXITS_TO_QUARANTINE) {
                sent = send(id, false, unclean);   // the decision outlives this node
                reason = "Quarantined: vigil nodes exited uncleanly " + unclean + " times in a row while analysing"
                        + " this stream" + (last == null ? "" : " (last on node " + last.node() + ")")
                        + " (a crash its content may cause). POST /api/streams/" + id
                        + "/release on the node that holds it to watch it again.";
            }
        }
        await(sent, id);
        return reason;
    }

    @Override
    public void analysing(String id) {
        Future<RecordMetadata> sent;
        synchronized (this) {
            analysing.add(id);
            sent = send(id, true, counts.getOrDefault(id, 0));
        }
        await(sent, id);
    }

    @Override
    public void idle(String id) {
        Future<RecordMetadata> sent;
        synchronized (this) {
            if (!analysing.remove(id)) {
                return;   // it never ran here (quarantined from the start): its record stands
            }
            counts.put(id, 0);
            Entry last = latest.apply(id);
            if (last != null && last.running() && !last.node().equals(nodeId)) {
                return;   // another node runs it now (this one was cut off): its line is the one that counts
            }
            sent = send(id, false, 0);
        }
        await(sent, id);
    }

    /** The stream was released from quarantine here: its unclean exits are forgotten, fleet-wide. */
    void forget(String id) {
        Future<RecordMetadata> sent;
        synchronized (this) {
            counts.put(id, 0);
            sent = send(id, analysing.contains(id), 0);
        }
        await(sent, id);
    }

    /** Sends one line (under the lock: lines of one stream go in order); null when Kafka refused at once. */
    private Future<RecordMetadata> send(String id, boolean running, int uncleanExits) {
        byte[] value = !running && uncleanExits == 0 ? null
                : FleetCodec.write(new Entry(id, role, nodeId, running, uncleanExits, System.currentTimeMillis()));
        try {
            return writer.send(new ProducerRecord<>(topic, Entry.key(id, role), value));
        } catch (KafkaException e) {
            LOG.warning("stream " + id + ": cannot write the crash record: " + e.getMessage());
            return null;
        }
    }

    /** Waits (bounded) for Kafka to take a line: a crash right after must find it there. */
    private static void await(Future<RecordMetadata> sent, String id) {
        if (sent == null) {
            return;
        }
        try {
            sent.get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warning("stream " + id + ": Kafka did not take its crash record within " + WRITE_TIMEOUT.toSeconds()
                    + " s (" + (e.getCause() == null ? e : e.getCause()).getMessage() + "); going on without it");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
