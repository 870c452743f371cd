package io.vigil.server.metrics;

import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.vigil.engine.pipeline.GpuFigures;
import io.vigil.server.DeliveryFigures;
import io.vigil.server.FleetFigures;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/** The service's own families: SSE clients, webhooks, HTTP connections, the fleet node, the GPUs' telemetry. */
final class ServiceFamilies {
    private ServiceFamilies() {
    }

    static void collect(ServerFigures server, List<DeliveryFigures> deliveries, List<GpuFigures> gpus,
                        FleetFigures fleet, List<MetricSnapshot> out) {
        Families f = new Families();
        f.gauge("vigil_sse_clients", "Clients connected to /api/events now.").add(Labels.EMPTY, server.sseClients());
        f.counter("vigil_sse_clients_dropped", "Clients of /api/events cut off because they fell too far behind.")
                .add(Labels.EMPTY, server.sseClientsDropped());
        perSink(f.counter("vigil_webhook_delivered", "Alarm events the webhook receiver acknowledged."),
                deliveries, DeliveryFigures::delivered);
        perSink(f.gauge("vigil_webhook_pending", "Alarm events spooled for the webhook and not yet acknowledged."),
                deliveries, DeliveryFigures::pending);
        perSink(f.counter("vigil_webhook_dropped", "Alarm events dropped because the webhook's spool was full."),
                deliveries, DeliveryFigures::dropped);
        perSink(f.counter("vigil_webhook_rejected",
                "Alarm events the webhook receiver refused for good (4xx other than 408 and 429)."),
                deliveries, DeliveryFigures::rejected);
        f.gauge("vigil_http_connections", "HTTP connections open now.").add(Labels.EMPTY, server.connections());
        var cut = f.counter("vigil_http_connections_cut",
                "Connections the API closed or refused to protect itself, by reason.");
        for (Map.Entry<String, Long> e : new TreeMap<>(server.connectionsCut()).entrySet()) {
            cut.add(Labels.of("reason", e.getKey()), e.getValue());
        }
        if (fleet != null) {
            fleet(f, fleet);
        }
        gpus(f, gpus);
        f.snapshots(out);
    }

    private static void perSink(Families.Family family, List<DeliveryFigures> sinks,
                                ToDoubleFunction<DeliveryFigures> value) {
        for (DeliveryFigures d : sinks) {
            family.add(Labels.of("sink", d.sink()), value.applyAsDouble(d));
        }
    }

    private static void fleet(Families f, FleetFigures fleet) {
        f.gauge("vigil_fleet_node_info", "This fleet node: its id and role (always 1).")
                .add(Labels.of("node", fleet.node(), "role", fleet.role()), 1);
        f.gauge("vigil_fleet_shards_owned", "Shards of this node's role group it owns.")
                .add(Labels.EMPTY, fleet.shardsOwned());
        f.gauge("vigil_fleet_shards", "Shards (partitions of the shards topic) in all.").add(Labels.EMPTY, fleet.shards());
        f.gauge("vigil_fleet_streams", "Streams by where they stand: running here, waiting here for capacity,"
                        + " unassigned in this node's role (run by no node).")
                .add(Labels.of("state", "running"), fleet.streamsRunning())
                .add(Labels.of("state", "waiting"), fleet.streamsWaiting())
                .add(Labels.of("state", "unassigned"), fleet.streamsUnassigned());
        f.counter("vigil_fleet_rebalances", "Shard assignments this node received from its group.")
                .add(Labels.EMPTY, fleet.rebalances());
        f.counter("vigil_fleet_events_sent", "Events this node wrote to the events topic.")
                .add(Labels.EMPTY, fleet.eventsSent());
        f.counter("vigil_fleet_events_lost", "Events this node could not write to Kafka (its queue overflowed).")
                .add(Labels.EMPTY, fleet.eventsLost());
        f.counter("vigil_fleet_failover_alarms", "Alarms another node left firing that this node took over:"
                        + " continued (its detectors raised them again) or resolved (cause failover).")
                .add(Labels.of("outcome", "continued"), fleet.alarmsContinued())
                .add(Labels.of("outcome", "resolved"), fleet.alarmsResolvedOnFailover());
    }

    /** The GPUs' own telemetry (NVML), labelled {@code gpu} (NVML's index) and {@code name}; none without a GPU. */
    private static void gpus(Families f, List<GpuFigures> gpus) {
        perGpu(f.gauge("vigil_gpu_decoder_utilization_ratio", "Share of time NVDEC was busy (0..1): what limits the"
                + " streams a GPU decodes."), gpus, GpuFigures::decoderUtilization);
        perGpu(f.gauge("vigil_gpu_encoder_utilization_ratio", "Share of time NVENC was busy (0..1)."), gpus,
                GpuFigures::encoderUtilization);
        perGpu(f.gauge("vigil_gpu_utilization_ratio", "Share of time kernels ran on the SMs (0..1)."), gpus,
                GpuFigures::gpuUtilization);
        perGpu(f.gauge("vigil_gpu_memory_utilization_ratio", "Share of time device memory was read or written"
                + " (0..1)."), gpus, GpuFigures::memoryUtilization);
        perGpu(f.gauge("vigil_gpu_memory_used_bytes", "Device memory in use."), gpus, GpuFigures::memoryUsedBytes);
        perGpu(f.gauge("vigil_gpu_memory_total_bytes", "Device memory installed."), gpus,
                GpuFigures::memoryTotalBytes);
        perGpu(f.gauge("vigil_gpu_temperature_celsius", "The GPU die's temperature."), gpus,
                GpuFigures::temperatureCelsius);
        perGpu(f.gauge("vigil_gpu_power_watts", "Power the board draws now."), gpus, GpuFigures::powerWatts);
        perGpu(f.gauge("vigil_gpu_power_limit_watts", "The power limit the board enforces."), gpus,
                GpuFigures::powerLimitWatts);
        var throttle = f.gauge("vigil_gpu_throttle_reasons", "1 while this reason holds the GPU's clocks down,"
                + " else 0.");
        var ecc = f.counter("vigil_gpu_ecc_errors", "ECC errors since the driver loaded (volatile), by type.");
        for (GpuFigures g : gpus) {
            Labels gpu = gpuLabels(g);
            g.throttleReasons().forEach((reason, active) -> throttle.add(gpu.add("reason", reason), active ? 1 : 0));
            ecc.add(gpu.add("type", "corrected"), g.eccCorrectedErrors());
            ecc.add(gpu.add("type", "uncorrected"), g.eccUncorrectedErrors());
        }
    }

    /** One gauge over the GPUs; a figure a GPU does not report (NaN) has no sample. */
    private static void perGpu(Families.Family family, List<GpuFigures> gpus, ToDoubleFunction<GpuFigures> value) {
        for (GpuFigures g : gpus) {
            family.add(gpuLabels(g), value.applyAsDouble(g));
        }
    }

    private static Labels gpuLabels(GpuFigures g) {
        return Labels.of("gpu", Integer.toString(g.index()), "name", g.name());
    }
}
