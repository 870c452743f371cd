package io.vigil.server.http;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.pipeline.GpuFigures;
import io.vigil.server.DeliveryFigures;
import io.vigil.server.FleetFigures;
import io.vigil.server.LatencyHistogram;
import io.vigil.server.StreamRegistry;
import io.vigil.server.StreamStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/** {@code GET /metrics}: Prometheus text exposition format 0.0.4, one family at a time with its HELP and TYPE. */
final class PrometheusText {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder out = new StringBuilder(8192);

    private PrometheusText() {
    }

    /**
     * Server-level figures the API keeps itself.
     *
     * @param connectionsCut connections the API closed to protect itself, by reason (every reason always listed)
     * @param connections HTTP connections open now
     */
    record ServerFigures(long sseClients, long sseClientsDropped, long requests, Map<String, Long> connectionsCut,
                         long connections) {
        ServerFigures(long sseClients, long sseClientsDropped, long requests) {
            this(sseClients, sseClientsDropped, requests, Map.of(), 0);
        }
    }

    static String render(StreamRegistry registry, ServerFigures server) {
        return render(registry, server, List.of());
    }

    static String render(StreamRegistry registry, ServerFigures server, List<DeliveryFigures> deliveries) {
        return render(registry, server, deliveries, List.of());
    }

    static String render(StreamRegistry registry, ServerFigures server, List<DeliveryFigures> deliveries,
                         List<GpuFigures> gpus) {
        // This process's streams only: in a fleet every node is scraped, and each stream counts once.
        List<StreamStatus> streams = registry.local();
        PrometheusText p = new PrometheusText();
        p.perStream(streams, "vigil_stream_fps", "gauge", "Video frames per second over the last few seconds.",
                StreamStatus::fps);
        p.perStream(streams, "vigil_stream_frames_total", "counter", "Video frames analysed since the stream was added.",
                StreamStatus::frames);
        p.perStream(streams, "vigil_stream_decode_errors_total", "counter",
                "Packets the decoders rejected since the stream was added.", StreamStatus::decodeErrors);
        p.perStream(streams, "vigil_stream_dropped_frames_total", "counter",
                "Frames dropped because analysis fell behind the live source.", StreamStatus::droppedFrames);
        p.perStream(streams, "vigil_stream_reconnects_total", "counter", "Times the source was reopened.",
                StreamStatus::reconnects);
        p.perStream(streams, "vigil_stream_up", "gauge", "1 while frames flow, else 0.",
                s -> s.state() == StreamStatus.State.RUNNING ? 1 : 0);
        p.perStream(streams, "vigil_stream_failed_total", "counter",
                "Times the stream's analysis failed (a fault in vigil) and was restarted or quarantined.",
                StreamStatus::failures);
        p.family("vigil_streams_quarantined", "gauge",
                "Streams quarantined now: not analysed until released (POST /api/streams/{id}/release).");
        p.sample("vigil_streams_quarantined", null, null, null,
                streams.stream().filter(s -> s.state() == StreamStatus.State.QUARANTINED).count());

        p.family("vigil_alarms_total", "counter", "Alarms raised since the stream was added, by detector.");
        for (StreamStatus s : streams) {
            for (Map.Entry<String, Long> e : new TreeMap<>(s.alarmsByDetector()).entrySet()) {
                p.sample("vigil_alarms_total", s.id(), "detector", e.getKey(), e.getValue());
            }
        }
        p.family("vigil_alarms_active", "gauge", "Alarms firing now, by detector.");
        for (StreamStatus s : streams) {
            // Every detector that ever fired keeps a series (0 when quiet), so that a graph does not break off.
            Map<String, Integer> active = new TreeMap<>();
            for (String detector : new TreeSet<>(s.alarmsByDetector().keySet())) {
                active.put(detector, 0);
            }
            for (Event.Alarm a : s.activeAlarms()) {
                active.merge(a.detector(), 1, Integer::sum);
            }
            for (Map.Entry<String, Integer> e : active.entrySet()) {
                p.sample("vigil_alarms_active", s.id(), "detector", e.getKey(), e.getValue());
            }
        }

        p.family("vigil_tr101290_errors_total", "counter", "TR 101 290 errors since the stream's analysis (re)started,"
                + " by check and PID (-1: the whole multiplex); only streams that are transport streams with tr101290.");
        for (StreamStatus s : streams) {
            if (s.transport() == null) {
                continue;
            }
            s.transport().errors().forEach((check, byPid) -> byPid.forEach((pid, n) ->
                    p.labelled("vigil_tr101290_errors_total", n, "stream", s.id(), "check", check, "pid", pid)));
        }
        p.family("vigil_ts_packets_total", "counter", "Transport stream packets analysed since the stream's analysis"
                + " (re)started.");
        for (StreamStatus s : streams) {
            if (s.transport() != null) {
                p.sample("vigil_ts_packets_total", s.id(), null, null, s.transport().packets());
            }
        }

        String latency = "vigil_frame_to_alarm_latency_seconds";
        p.family(latency, "histogram", "Wall time from the frame that made an alarm fire to its event.");
        for (StreamStatus s : streams) {
            Optional<LatencyHistogram> h = registry.frameToAlarmLatency(s.id());
            if (h.isEmpty()) {
                continue;
            }
            LatencyHistogram histogram = h.get();
            double[] bounds = LatencyHistogram.BOUNDS_SECONDS;
            for (int i = 0; i <= bounds.length; i++) {
                String le = i < bounds.length ? number(bounds[i]) : "+Inf";
                p.sample(latency + "_bucket", s.id(), "le", le, histogram.cumulativeCount(i));
            }
            p.sample(latency + "_sum", s.id(), null, null, histogram.sumSeconds());
            p.sample(latency + "_count", s.id(), null, null, histogram.count());
        }

        p.family("vigil_sse_clients", "gauge", "Clients connected to /api/events now.");
        p.sample("vigil_sse_clients", null, null, null, server.sseClients());
        p.family("vigil_sse_clients_dropped_total", "counter",
                "Clients of /api/events cut off because they fell too far behind.");
        p.sample("vigil_sse_clients_dropped_total", null, null, null, server.sseClientsDropped());
        p.perSink(deliveries, "vigil_webhook_delivered_total", "counter",
                "Alarm events the webhook receiver acknowledged.", DeliveryFigures::delivered);
        p.perSink(deliveries, "vigil_webhook_pending", "gauge",
                "Alarm events spooled for the webhook and not yet acknowledged.", DeliveryFigures::pending);
        p.perSink(deliveries, "vigil_webhook_dropped_total", "counter",
                "Alarm events dropped because the webhook's spool was full.", DeliveryFigures::dropped);
        p.perSink(deliveries, "vigil_webhook_rejected_total", "counter",
                "Alarm events the webhook receiver refused for good (4xx other than 408 and 429).",
                DeliveryFigures::rejected);
        p.family("vigil_http_requests_total", "counter", "HTTP requests answered.");
        p.sample("vigil_http_requests_total", null, null, null, server.requests());
        p.family("vigil_http_connections", "gauge", "HTTP connections open now.");
        p.sample("vigil_http_connections", null, null, null, server.connections());
        if (!server.connectionsCut().isEmpty()) {
            p.family("vigil_http_connections_cut_total", "counter",
                    "Connections the API closed or refused to protect itself, by reason.");
            for (Map.Entry<String, Long> e : new TreeMap<>(server.connectionsCut()).entrySet()) {
                p.sample("vigil_http_connections_cut_total", null, "reason", e.getKey(), e.getValue());
            }
        }
        registry.fleet().ifPresent(p::fleet);
        p.gpus(gpus);
        return p.out.toString();
    }

    private void fleet(FleetFigures f) {
        family("vigil_fleet_node_info", "gauge", "This fleet node: its id and role (always 1).");
        out.append("vigil_fleet_node_info{node=\"").append(escape(f.node())).append("\",role=\"")
                .append(escape(f.role())).append("\"} 1\n");
        family("vigil_fleet_shards_owned", "gauge", "Shards of this node's role group it owns.");
        sample("vigil_fleet_shards_owned", null, null, null, f.shardsOwned());
        family("vigil_fleet_shards", "gauge", "Shards (partitions of the shards topic) in all.");
        sample("vigil_fleet_shards", null, null, null, f.shards());
        family("vigil_fleet_streams", "gauge", "Streams by where they stand: running here, waiting here for "
                + "capacity, unassigned in this node's role (run by no node).");
        sample("vigil_fleet_streams", null, "state", "running", f.streamsRunning());
        sample("vigil_fleet_streams", null, "state", "waiting", f.streamsWaiting());
        sample("vigil_fleet_streams", null, "state", "unassigned", f.streamsUnassigned());
        family("vigil_fleet_rebalances_total", "counter", "Shard assignments this node received from its group.");
        sample("vigil_fleet_rebalances_total", null, null, null, f.rebalances());
        family("vigil_fleet_events_sent_total", "counter", "Events this node wrote to the events topic.");
        sample("vigil_fleet_events_sent_total", null, null, null, f.eventsSent());
        family("vigil_fleet_events_lost_total", "counter",
                "Events this node could not write to Kafka (its queue overflowed).");
        sample("vigil_fleet_events_lost_total", null, null, null, f.eventsLost());
        family("vigil_fleet_failover_alarms_total", "counter", "Alarms another node left firing that this node "
                + "took over: continued (its detectors raised them again) or resolved (cause failover).");
        sample("vigil_fleet_failover_alarms_total", null, "outcome", "continued", f.alarmsContinued());
        sample("vigil_fleet_failover_alarms_total", null, "outcome", "resolved", f.alarmsResolvedOnFailover());
    }

    /** The GPUs' own telemetry (NVML), labelled {@code gpu} (NVML's index) and {@code name}; none without a GPU. */
    private void gpus(List<GpuFigures> gpus) {
        if (gpus.isEmpty()) {
            return;
        }
        perGpu(gpus, "vigil_gpu_decoder_utilization_ratio", "Share of time NVDEC was busy (0..1): what limits the"
                + " streams a GPU decodes.", GpuFigures::decoderUtilization);
        perGpu(gpus, "vigil_gpu_encoder_utilization_ratio", "Share of time NVENC was busy (0..1).",
                GpuFigures::encoderUtilization);
        perGpu(gpus, "vigil_gpu_utilization_ratio", "Share of time kernels ran on the SMs (0..1).",
                GpuFigures::gpuUtilization);
        perGpu(gpus, "vigil_gpu_memory_utilization_ratio", "Share of time device memory was read or written (0..1).",
                GpuFigures::memoryUtilization);
        perGpu(gpus, "vigil_gpu_memory_used_bytes", "Device memory in use.", GpuFigures::memoryUsedBytes);
        perGpu(gpus, "vigil_gpu_memory_total_bytes", "Device memory installed.", GpuFigures::memoryTotalBytes);
        perGpu(gpus, "vigil_gpu_temperature_celsius", "The GPU die's temperature.", GpuFigures::temperatureCelsius);
        perGpu(gpus, "vigil_gpu_power_watts", "Power the board draws now.", GpuFigures::powerWatts);
        perGpu(gpus, "vigil_gpu_power_limit_watts", "The power limit the board enforces.", GpuFigures::powerLimitWatts);
        family("vigil_gpu_throttle_reasons", "gauge", "1 while this reason holds the GPU's clocks down, else 0.");
        for (GpuFigures g : gpus) {
            g.throttleReasons().forEach((reason, active) ->
                    gpuSample("vigil_gpu_throttle_reasons", g, active ? 1 : 0, "reason", reason));
        }
        family("vigil_gpu_ecc_errors_total", "counter", "ECC errors since the driver loaded (volatile), by type.");
        for (GpuFigures g : gpus) {
            gpuSample("vigil_gpu_ecc_errors_total", g, g.eccCorrectedErrors(), "type", "corrected");
            gpuSample("vigil_gpu_ecc_errors_total", g, g.eccUncorrectedErrors(), "type", "uncorrected");
        }
    }

    private void perGpu(List<GpuFigures> gpus, String name, String help, ToDoubleFunction<GpuFigures> value) {
        family(name, "gauge", help);
        for (GpuFigures g : gpus) {
            gpuSample(name, g, value.applyAsDouble(g));
        }
    }

    /** One GPU's sample; a figure the GPU does not report (NaN) has none. */
    private void gpuSample(String name, GpuFigures gpu, double value, String... moreLabels) {
        if (Double.isNaN(value)) {
            return;
        }
        String[] labels = new String[4 + moreLabels.length];
        labels[0] = "gpu";
        labels[1] = Integer.toString(gpu.index());
        labels[2] = "name";
        labels[3] = gpu.name();
        System.arraycopy(moreLabels, 0, labels, 4, moreLabels.length);
        labelled(name, value, labels);
    }

    private void perStream(List<StreamStatus> streams, String name, String type, String help,
                           ToDoubleFunction<StreamStatus> value) {
        family(name, type, help);
        for (StreamStatus s : streams) {
            sample(name, s.id(), null, null, value.applyAsDouble(s));
        }
    }

    private void perSink(List<DeliveryFigures> sinks, String name, String type, String help,
                         ToDoubleFunction<DeliveryFigures> value) {
        family(name, type, help);
        for (DeliveryFigures d : sinks) {
            sample(name, null, "sink", d.sink(), value.applyAsDouble(d));
        }
    }

    private void family(String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private void sample(String name, String stream, String label, String labelValue, double value) {
        List<String> labels = new java.util.ArrayList<>(4);
        if (stream != null) {
            labels.add("stream");
            labels.add(stream);
        }
        if (label != null) {
            labels.add(label);
            labels.add(labelValue);
        }
        labelled(name, value, labels.toArray(String[]::new));
    }

    /** One sample; {@code labels} are name, value, name, value... */
    private void labelled(String name, double value, String... labels) {
        out.append(name);
        if (labels.length > 0) {
            out.append('{');
            for (int i = 0; i < labels.length; i += 2) {
                out.append(i == 0 ? "" : ",").append(labels[i]).append("=\"").append(escape(labels[i + 1])).append('"');
            }
            out.append('}');
        }
        out.append(' ').append(number(value)).append('\n');
    }

    /** Label values: backslash, double quote and line feed escaped, as the format asks. */
    static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }
}
